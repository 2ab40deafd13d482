import { z } from 'zod'
import { normalize } from './text.js'

/** One line of an eval file (format of shared/eval/dev.jsonl). */
export const evalQuestionSchema = z.looseObject({
  id: z.string(),
  question: z.string().min(1),
  must_include: z.array(z.string()).default([]),
  any_of: z.array(z.string()).optional(),
  kind: z.string().default('other'),
  difficulty: z.string().optional(),
  source: z.string().optional(),
})
export type EvalQuestion = z.infer<typeof evalQuestionSchema>

export function parseEvalFile(text: string, file: string): EvalQuestion[] {
  const questions: EvalQuestion[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch {
      throw new Error(`${file}:${i + 1}: not valid JSON`)
    }
    const parsed = evalQuestionSchema.safeParse(json)
    if (!parsed.success) throw new Error(`${file}:${i + 1}: ${z.prettifyError(parsed.error)}`)
    questions.push(parsed.data)
  })
  return questions
}

/** A question with nothing to find: the bot should decline and offer a consultant. */
export function isUnanswerable(q: EvalQuestion): boolean {
  return q.kind === 'unanswerable' || (q.must_include.length === 0 && (q.any_of?.length ?? 0) === 0)
}

/**
 * Every `must_include` and, when given, at least one `any_of`, after normalising width, digit
 * separators and the spaces set beside Chinese characters (the sources write "20 萬", answers "20萬").
 */
export function containsFacts(text: string, q: EvalQuestion): boolean {
  const hay = comparable(text)
  if (!q.must_include.every((m) => hay.includes(comparable(m)))) return false
  if (q.any_of && q.any_of.length > 0 && !q.any_of.some((a) => hay.includes(comparable(a)))) return false
  return true
}
function comparable(text: string): string {
  // Spaces beside Chinese characters, and between a figure and its unit ("322.4 kLOE"), carry no meaning.
  return normalize(text).replace(/\s+(?=[\p{Script=Han}%])|(?<=\p{Script=Han})\s+|(?<=\d)\s+(?=[a-z])/gu, '')
}

/** A declining answer: not presented as answered, and it offers a human consultant. */
export function declines(status: string, text: string): boolean {
  return status !== 'answered' && /顧問|專人|真人/.test(text)
}

/**
 * Why a question failed, in the classes answering work is planned by: the knowledge base answers it
 * but the bot declined (or called it out of scope), the right facts were retrieved but another
 * passage led, another programme's passage was cited, retrieval never found the facts, or an
 * unanswerable question was answered.
 */
export type FailureClass = 'declined-but-answerable' | 'scope' | 'wrong-section' | 'wrong-programme' | 'retrieval-miss' | 'answered-unanswerable'

export function failureClass(r: { unanswerable: boolean; status: string; retrievalHit: boolean; otherProgramme: boolean; factsInRetrieved: boolean }): FailureClass {
  if (r.unanswerable) return 'answered-unanswerable'
  if (r.status === 'out-of-scope') return 'scope'
  if (!r.retrievalHit) return 'retrieval-miss'
  if (r.status !== 'answered') return 'declined-but-answerable'
  return r.otherProgramme ? 'wrong-programme' : 'wrong-section'
}
