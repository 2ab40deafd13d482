import { StructuredOutputParser } from '@langchain/core/output_parsers'
import { PromptTemplate } from '@langchain/core/prompts'
import { z } from 'zod'
import type { SearchHit } from '../knowledge/search.js'
import { normalize } from '../knowledge/text.js'
import type { Config } from '../config.js'
import type { AnswerGenerator } from './service.js'
import { createIntentClassifier, type IntentClassifier } from './intent.js'
import type { CompleteChat } from './types.js'

export type { CompleteChat } from './types.js'

/** What the model must return. */
export const llmAnswerSchema = z.object({
  answer: z.string().min(1).max(2000),
  cited: z.array(z.string()).max(10),
  covered: z.boolean(),
})

export interface AnswerPrompts {
  system: string
  user: string
}


/** An OpenAI-compatible chat model through LangChain; the base URL can point at any compatible server. */
export function openAIChat(options: { apiKey: string; baseUrl?: string; model: string }): CompleteChat {
  // Loaded on first use, like the converter below: an offline bot never pays for them.
  let chat: Promise<import('@langchain/openai').ChatOpenAI> | undefined
  return async (messages, signal) => {
    chat ??= import('@langchain/openai').then(
      ({ ChatOpenAI }) =>
        new ChatOpenAI({
          model: options.model,
          apiKey: options.apiKey,
          configuration: options.baseUrl ? { baseURL: options.baseUrl } : undefined,
          temperature: 0,
          maxRetries: 0, // the deadline, not retries, bounds the wait; the extractive answer is the fallback
        }),
    )
    const model = await chat
    const result = await model.invoke(
      messages.map((m) => [m.role, m.content] as [string, string]),
      { signal },
    )
    return typeof result.content === 'string' ? result.content : result.content.map((part) => ('text' in part ? part.text : '')).join('')
  }
}

/**
 * Simplified → Traditional (Taiwan) for a model that slips into Simplified. Its dictionaries take
 * about 75 MB, so they are built on the first generated answer, never in an offline bot.
 */
let toTraditionalConverter: Promise<(text: string) => string> | undefined
const traditional = () => (toTraditionalConverter ??= import('opencc-js').then((OpenCC) => OpenCC.Converter({ from: 'cn', to: 'tw' })))

/** Numbers as written ("1,785億", "50%", "3.5"), normalised so "1,785" and "1785" compare equal. */
export function figuresIn(text: string): string[] {
  return (normalize(text).match(/\d+(?:\.\d+)?/g) ?? []).filter((n) => n.length > 0)
}

/** Figures of `answer` that appear in none of `sources` (an invented number). */
export function unsupportedFigures(answer: string, sources: string[]): string[] {
  const hay = sources.map((s) => normalize(s)).join('\n')
  const known = new Set(figuresIn(hay))
  return [...new Set(figuresIn(answer))].filter((n) => !known.has(n) && !hay.includes(n))
}

/** True when the answer repeats a run of the system prompt: an extraction attempt that worked. */
export function leaksPrompt(answer: string, system: string, run = 14): boolean {
  const squash = (t: string) => t.replace(/\s+/g, '')
  const a = squash(answer)
  const p = squash(system)
  for (let i = 0; i + run <= p.length; i += 2) if (a.includes(p.slice(i, i + run))) return true
  return false
}

/** Han bigrams of a text: short phrases, robust to word segmentation. */
function bigrams(text: string): string[] {
  const out: string[] = []
  for (const run of normalize(text).match(/\p{Script=Han}+/gu) ?? []) {
    const chars = Array.from(run)
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!)
  }
  return out
}

/**
 * The first sentence of a generated answer whose wording the cited passages do not support
 * (fewer than half of its phrases appear in them), e.g. a promise or claim the model added.
 */
export function ungroundedSentence(answer: string, sources: string[], minSupport = 0.5): string | undefined {
  const known = new Set(sources.flatMap(bigrams))
  for (const sentence of answer.split(/[。！？；\n]/)) {
    const grams = bigrams(sentence)
    if (grams.length < 4) continue
    const supported = grams.filter((g) => known.has(g)).length
    if (supported / grams.length < minSupport) return sentence.trim()
  }
  return undefined
}

/**
 * The generated-answer chain: passages and question into the prompt files, the model's JSON
 * validated by zod, cited passages resolved, Traditional characters enforced, and every figure
 * checked against the cited passages. Any failure (timeout, malformed output, an unsupported
 * figure) returns a reason, and the caller answers extractively instead.
 */
export function createLlmGenerator(options: { complete: CompleteChat; prompts: AnswerPrompts; deadlineMs: number }): AnswerGenerator {
  // LangChain's pieces: the user prompt file is a template ({passages}, {question}, {history}); the
  // model's JSON (bare or in a ```json fence) is parsed and validated with the zod schema.
  const userPrompt = PromptTemplate.fromTemplate(options.prompts.user)
  const parser = StructuredOutputParser.fromZodSchema(llmAnswerSchema)
  return {
    async generate({ question, hits, history }) {
      const labelled = hits.map((h, i) => ({ label: `S${i + 1}`, hit: h }))
      const passages = labelled
        .map(({ label, hit }) => `[${label}] ${hit.title}｜${hit.headingPath.join(' > ')}（${hit.sourceDate ?? '日期不詳'}）\n${hit.text}`)
        .join('\n\n')
      const messages = [
        { role: 'system' as const, content: options.prompts.system },
        { role: 'user' as const, content: await userPrompt.format({ passages, question, history: history.slice(-4).join('\n') || '（無）' }) },
      ]
      const controller = new AbortController()
      const timer = setTimeout(() => controller.abort(), options.deadlineMs)
      let raw: string
      try {
        raw = await options.complete(messages, controller.signal)
      } catch (error) {
        return { ok: false, reason: controller.signal.aborted ? 'timeout' : `model-error: ${(error as Error).message.slice(0, 200)}` }
      } finally {
        clearTimeout(timer)
      }
      let parsed: z.infer<typeof llmAnswerSchema>
      try {
        parsed = await parser.parse(raw)
      } catch (error) {
        return { ok: false, reason: `malformed-output: ${(error as Error).message.slice(0, 200)}` }
      }
      const cited = labelled.filter(({ label }) => parsed.cited.includes(label)).map(({ hit }) => hit)
      if (!parsed.covered) return { ok: true, body: '', citedChunks: [], covered: false }
      if (cited.length === 0) return { ok: false, reason: 'no-citation' }
      const toTraditional = await traditional()
      const body = toTraditional(parsed.answer.replace(/〔S(\d+)〕/g, (_m, n: string) => `〔${cited.findIndex((h) => h === labelled[Number(n) - 1]?.hit) + 1 || n}〕`))
      if (leaksPrompt(body, options.prompts.system)) return { ok: false, reason: 'prompt-leak' }
      const unsupported = ungroundedSentence(body.replace(/〔\d+〕/g, ''), cited.map((h) => `${h.title} ${h.headingPath.join(' ')} ${h.text}`))
      if (unsupported) return { ok: false, reason: `ungrounded: ${unsupported.slice(0, 60)}` }
      const invented = unsupportedFigures(body.replace(/〔\d+〕/g, ''), [...cited.map((h: SearchHit) => `${h.title} ${h.text}`), question])
      if (invented.length > 0) return { ok: false, reason: `unsupported-figure: ${invented.join(', ')}` }
      return { ok: true, body, citedChunks: cited.map((h) => h.chunkHash), covered: true }
    },
  }
}

/** The LLM-backed parts for this configuration: none offline, generator and classifier with a model. */
export function createLlmCapabilities(
  config: Config,
  prompts: AnswerPrompts & { intent: string },
  deadlineMs = 12_000,
): { generator?: AnswerGenerator; classifier?: IntentClassifier; complete?: CompleteChat } {
  if (!config.openai) return {}
  // Built in the background now, so the first generated answer does not wait for it.
  void traditional()
  const complete = openAIChat({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.chatModel })
  return {
    generator: createLlmGenerator({ complete, prompts, deadlineMs }),
    classifier: createIntentClassifier({ complete, system: prompts.intent, deadlineMs: Math.min(deadlineMs, 5000) }),
    complete,
  }
}
