import type { Db } from '../db/types.js'
import type { KnowledgeEmbedder } from '../knowledge/embedder.js'
import { expandQuery, mentionsDomain } from '../knowledge/expand.js'
import { searchKnowledge, termStatistics } from '../knowledge/search.js'
import { tokenize } from '../knowledge/text.js'
import { normalize } from '../knowledge/text.js'
import { bestPassages, composeExtractive, isEnglish, OUT_OF_SCOPE_THRESHOLD } from './extractive.js'
import { asksSomething, ASKS_QUANTITY, CLAUSES, relativeYears, subsidisedThings } from './coverage.js'
import { nameForms, notHeldProgrammeNamed, localGovernmentAsked, otherAgencyAsked, passageIsAbout, PROGRAMMES, programmesNamed, unknownProgrammeNamed, withFullNames, type Programme, type ProgrammeRegistry } from './programmes.js'
import { ASKS_WINDOW, windowLine } from './windows.js'
import { premiseCorrection } from './premise.js'
import { noticesFor, sourceLine } from './notices.js'
import type { AnswerResult, Citation } from './types.js'
import { answerCopy } from './copy.js'
import { POLICY } from './policy.js'
import type { IntentClassifier } from './intent.js'

/** Generates an answer from passages; implemented by the LLM chain when OPENAI_API_KEY is set. */
export interface AnswerGenerator {
  generate(input: { question: string; hits: Awaited<ReturnType<typeof searchKnowledge>>; history: string[] }): Promise<
    { ok: true; body: string; citedChunks: string[]; covered: boolean } | { ok: false; reason: string }
  >
}

/**
 * Answers "can we apply?" questions from the programme rules, with what the chat already knows about
 * the firm (`known`, from earlier answers or the assessment) under what the question says; undefined:
 * not such a question.
 */
export type EligibilityAnswerer = (question: string, now: Date, known?: Record<string, unknown>) => Promise<AnswerResult | undefined>

export interface AnswerDeps {
  db: Db
  embedder: KnowledgeEmbedder
  generator?: AnswerGenerator
  /** Decides what a message means when no rule could and no answer was found (LLM mode only). */
  classifier?: IntentClassifier
  /** The deterministic eligibility engine (src/eligibility), tried before retrieval. */
  eligibility?: EligibilityAnswerer
  /** Programme names and aliases; the knowledge base's own (knowledge/programme-names.json) by default. */
  programmes?: ProgrammeRegistry
}

/** With a model, passages covering at least this share of the question's subject go to it to judge. */
const MODEL_JUDGES_FROM = 0.35

const FOLLOW_UP = /^(那|那麼|那如果|如果是|如果|還有|另外|至於|換成|改成|若是|要是|它|這個計畫|該計畫|這計畫|此計畫|then|what about|and\b)/i

/** A follow-up ("那製造業呢?") is searched together with the previous question. */
export function resolveQuery(question: string, previous: string | undefined): string {
  if (!previous) return question
  const short = Array.from(question.replace(/[？?！!。，,\s]/g, '')).length <= 8
  return FOLLOW_UP.test(question.trim()) || short ? `${previous} ${question}` : question
}

export function formatAnswer(body: string, citations: Citation[], notices: string[], english = false): string {
  const sources = citations.map(sourceLine)
  const lang = english ? 'en' : 'zh'
  const [header, sourcesTitle] = [answerCopy.header[lang], answerCopy.sourcesTitle[lang]]
  return [header, body, notices.length > 0 ? `⚠️ ${notices.join('\n⚠️ ')}` : '', `${sourcesTitle}\n${sources.join('\n')}`]
    .filter(Boolean)
    .join('\n\n')
}

/** The user's words are not repeated back: that would echo insults and injected text. */
export function declineText(outOfScope: boolean, english = false): string {
  return (outOfScope ? answerCopy.outOfScope : answerCopy.notCovered)[english ? 'en' : 'zh']
}

/** When the knowledge base holds nothing on the programme named, another programme's facts must not stand in. */
export const UNKNOWN_PROGRAMME_TEXT = answerCopy.unknownProgramme.zh
const UNKNOWN_PROGRAMME_TEXT_EN = answerCopy.unknownProgramme.en

/**
 * The programmes a question is about: those it names, or — for a follow-up that names none — those
 * of the previous question ("那審查要多久？" after a question on 雲市集).
 */
export function programmesAsked(question: string, previous: string | undefined, registry: ProgrammeRegistry = PROGRAMMES): Programme[] {
  const named = programmesNamed(question, registry)
  if (named.length > 0 || !previous) return named
  return resolveQuery(question, previous) !== question || FOLLOW_UP_ATTRIBUTE.test(question) ? programmesNamed(previous, registry) : []
}
/** A short question about a programme's attribute, with no programme named: a follow-up. */
const FOLLOW_UP_ATTRIBUTE = /^.{0,12}(補助|比例|上限|資格|條件|期程|多久|截止|自籌|文件|審查|申請|幾成|多少錢|名額)[^，,。]{0,8}[？?]?$/u

/**
 * Whether one part of the answer (the lines citing one passage) speaks of every programme: by name, or
 * by being that programme's passage.
 */
function speaksOfAll(programmes: Programme[], body: string, citations: Citation[], hits: { chunkHash: string; programme: string | null }[]): boolean {
  return body.split(/(?<=〔\d+〕)\n/u).some((part) => {
    const citation = citations.find((c) => part.endsWith(`〔${c.n}〕`))
    const hay = normalize(`${part} ${citation ? `${citation.title} ${citation.headingPath.join(' ')}` : ''}`)
    const own = hits.find((h) => h.chunkHash === citation?.chunkHash)?.programme
    return programmes.every((p) => p.id === own || p.forms.some((f) => hay.includes(f)))
  })
}

/**
 * "可以申請嗎？最多可以拿多少？": the rules answer the first part; the knowledge base answers the figure,
 * which leads, briefly, before the rule-by-rule check. Unanswered, the check stands alone.
 */
async function withFigureAsked(deps: AnswerDeps, input: { question: string; now: Date }, ruled: AnswerResult, programmes: Programme[]): Promise<AnswerResult> {
  // The rules say whether the firm qualifies, not how much ("最多可以拿多少點？").
  const figureParts = (input.question.match(CLAUSES) ?? []).filter((c) => asksSomething(c) && ASKS_QUANTITY.test(c))
  if (figureParts.length === 0) return ruled
  const asked = figureParts.join('')
  const named = programmesNamed(asked, deps.programmes ?? PROGRAMMES).length > 0
  const figure = await answerQuestion({ ...deps, eligibility: undefined }, { question: named ? asked : `${programmes.map((p) => p.name).join(' ')} ${asked}`.trim(), now: input.now })
  if (figure.status !== 'answered') return ruled
  // The figure's first part (its main source) is enough beside the check; the check's sources follow.
  const lead = figure.body.split(/(?<=〔\d+〕)\n/u)[0]!
  const leadCitations = figure.citations.filter((c) => lead.includes(`〔${c.n}〕`))
  const order = new Map(leadCitations.map((c, i) => [c.n, i + 1]))
  const shift = leadCitations.length
  const citations = [...leadCitations.map((c) => ({ ...c, n: order.get(c.n)! })), ...ruled.citations.map((c) => ({ ...c, n: c.n + shift }))]
  const body = `${lead.replace(/〔(\d+)〕/gu, (_, n: string) => `〔${order.get(Number(n))}〕`)}\n\n${ruled.body.replace(/〔(\d+)〕/gu, (_, n: string) => `〔${Number(n) + shift}〕`)}`
  const notices = noticesFor(citations.slice(0, shift), input.now)
  return { ...ruled, body, citations, notices, text: formatAnswer(body, citations, notices, isEnglish(input.question)) }
}

/** Answers a programme question from the knowledge base: generated when configured, else extractive. */
export async function answerQuestion(
  deps: AnswerDeps,
  asked: { question: string; previousQuestion?: string; history?: string[]; now: Date; knownFacts?: Record<string, unknown> },
): Promise<AnswerResult> {
  const registry = deps.programmes ?? PROGRAMMES
  // A programme called by a short form ("技輔計畫") is read, searched and checked as named in full.
  const input = { ...asked, question: withFullNames(asked.question, registry), previousQuestion: asked.previousQuestion && withFullNames(asked.previousQuestion, registry) }
  const programmes = programmesAsked(input.question, input.previousQuestion, registry)
  const resolved = resolveQuery(input.question, input.previousQuestion)
  // A follow-up keeps its programme in the search even when it is not read with the whole previous question.
  const searchQuery = programmes.length > 0 && programmesNamed(resolved, registry).length === 0 ? `${programmes[0]!.name} ${resolved}` : resolved
  const english = isEnglish(input.question)
  const ruled = await deps.eligibility?.(searchQuery, input.now, input.knownFacts)
  if (ruled) return withFigureAsked(deps, input, ruled, programmes)
  /** A reply decided before any passage is read: nothing retrieved, nothing cited. */
  const refusal = (status: 'out-of-scope' | 'not-covered', text: string, missing: string[]): AnswerResult =>
    ({ searchQuery, retrieved: [], coverage: { ratio: 0, missing }, status, text, body: text, notices: [], citations: [], more: undefined, mode: 'extractive' })
  // Labour law, tax, company registration: not ours, whatever budget table shares a word with it.
  const outside = programmes.length === 0 ? POLICY.outside_topics.topics.find((t) => t.asks.test(input.question)) : undefined
  if (outside) return refusal('out-of-scope', english ? answerCopy.outsideTopic.en(outside.name_en, outside.refer_en) : answerCopy.outsideTopic.zh(outside.name, outside.refer), [])
  const candidates = await searchKnowledge(deps.db, deps.embedder, searchQuery, { limit: programmes.length > 0 ? 20 : 5 })
  // A question in two parts also searches each part, so the passage for the second part is at hand.
  const parts = (input.question.match(CLAUSES) ?? []).filter((c) => asksSomething(c))
  if (parts.length >= 2 && parts.length <= 3) {
    const seen = new Set(candidates.map((h) => h.chunkHash))
    for (const part of parts) {
      const more = await searchKnowledge(deps.db, deps.embedder, `${programmes.map((p) => p.name).join(' ')} ${part}`, { limit: programmes.length > 0 ? 8 : 2 })
      for (const h of more.slice(0, programmes.length > 0 ? 8 : 2)) if (!seen.has(h.chunkHash)) (seen.add(h.chunkHash), candidates.splice(5, 0, h))
    }
  }
  // Passages of another programme never answer a question about this one.
  const stats = await termStatistics(deps.db, tokenize(expandQuery(searchQuery)))
  const pool = programmes.length > 0 ? candidates.filter((h) => programmes.some((p) => passageIsAbout(h, p))) : candidates
  // Of the passages found (a named programme's 20, or a two-part question's parts'), those that best
  // answer: among many sections sharing a programme's words, the retriever's fifth is not always a
  // better answer than its ninth.
  const hits = bestPassages(searchQuery, pool, stats, parts.length >= 2 ? 7 : 5)
  const notHeld = programmes.length === 0 ? notHeldProgrammeNamed(input.question, registry) : undefined
  const unknown = localGovernmentAsked(input.question, registry) ?? unknownProgrammeNamed(input.question, registry) ?? otherAgencyAsked(input.question, registry)
  const unknownForms = unknown ? nameForms(unknown, input.question) : []
  if (notHeld || (unknown && !hits.some((h) => normalize(`${h.title} ${h.text}`).includes(unknownForms[0]!)))) {
    return refusal('not-covered', english ? UNKNOWN_PROGRAMME_TEXT_EN : UNKNOWN_PROGRAMME_TEXT, [notHeld ?? unknown!])
  }
  // "攤位費有補助嗎？": when no programme is named and the thing to be subsidised is a word the knowledge
  // base never uses, no programme here pays for it; another subsidy's share would answer another question.
  const things = programmes.length === 0 ? subsidisedThings(input.question) : []
  if (things.length > 0) {
    const known = (await termStatistics(deps.db, things.flat())).idf
    const unpaid = things.find((forms) => !forms.some((f) => known.has(f)))
    if (unpaid) return refusal('not-covered', declineText(false, english), [unpaid[0]!])
  }
  // A question naming a programme we hold is about our subject, whatever its other words ("小巨人獎選出幾家").
  const inDomain = programmes.length > 0 || mentionsDomain(searchQuery)
  const composed = composeExtractive(searchQuery, hits, stats, input.now, { namesProgramme: programmes.length > 0 })
  const retrieved = hits.map((h) => ({ chunkHash: h.chunkHash, title: h.title, headingPath: h.headingPath, text: h.text, score: h.score }))
  const base = { searchQuery, retrieved, coverage: { ratio: Math.round(composed.coverage.ratio * 1000) / 1000, missing: composed.coverage.missing, ...(composed.lacking ? { lacking: composed.lacking } : {}) } }

  /**
   * What goes before the answer: a correction when the question states a figure the main passage
   * contradicts, and — for "when can I apply" — what is open now, from the clock.
   */
  const window = ASKS_WINDOW.test(input.question) ? await windowLine(deps.db, programmes.map((p) => p.id), input.now) : undefined
  const framed = (body: string): string => [premiseCorrection(input.question, body), window, body].filter(Boolean).join('\n')

  const decline = (fallbackReason?: string): AnswerResult => {
    const outOfScope = composed.coverage.ratio < OUT_OF_SCOPE_THRESHOLD || !inDomain
    const text = declineText(outOfScope, english)
    return { ...base, status: outOfScope ? 'out-of-scope' : 'not-covered', text, body: text, notices: [], citations: [], more: undefined, mode: 'extractive', fallbackReason }
  }
  // A window question about a named programme is answered by its application window (front-matter),
  // even when no passage writes the dates out.
  // So is "今年還能申請嗎？": the window line says what is open this year, which no passage can.
  const thisYear = relativeYears(input.question, input.now).some((forms) => forms.includes(composed.lacking ?? ''))
  if (window !== undefined && programmes.length > 0 && (composed.lacking === 'date' || composed.lacking === 'deadline' || thisYear)) composed.covered = true
  // A model reads paraphrase that word matching misses ("補貼天花板" for 補助上限), so with one the
  // passages go to it unless they are plainly off the question; it says itself whether they answer.
  const modelJudges = deps.generator !== undefined && composed.coverage.ratio >= MODEL_JUDGES_FROM && inDomain
  if (!composed.covered && !modelJudges) return decline()
  // A programme the knowledge base only mentions in passing (another programme's rules name it): the
  // answer must lead with it, and not from a passage of another programme the knowledge base holds.
  const mainPassage = hits.find((h) => h.chunkHash === composed.citations[0]?.chunkHash)
  const leadIsAbout = unknownForms.some((f) => normalize(composed.body.split('〔')[0]!).includes(f))
  const otherProgrammes = mainPassage !== undefined && registry.programmes.some((p) => p.id === mainPassage.programme) && !unknownForms.some((f) => normalize(`${mainPassage.title} ${mainPassage.headingPath.join(' ')}`).includes(f))
  if (unknown && !deps.generator && (!leadIsAbout || otherProgrammes)) return decline()
  // A question on two programmes ("雲市集點數跟SBIR可以同時申請嗎？") is answered only by lines that speak
  // of each: a rule of one of them says nothing of the other.
  if (!deps.generator && programmes.length >= 2 && POLICY.combination.asks.test(input.question) && !speaksOfAll(programmes, composed.body, composed.citations, hits)) return decline()

  let fallbackReason: string | undefined
  if (deps.generator) {
    const generated = await deps.generator.generate({ question: searchQuery, hits, history: input.history ?? [] })
    if (generated.ok) {
      const citations = hits
        .filter((h) => generated.citedChunks.includes(h.chunkHash))
        .map((h, i): Citation => ({ n: i + 1, documentId: h.documentId, chunkHash: h.chunkHash, title: h.title, headingPath: h.headingPath, kind: h.kind, status: h.status, sourceDate: h.sourceDate, windowCloses: h.windowCloses }))
      if (!generated.covered) {
        const text = declineText(false, english)
        return { ...base, status: 'not-covered', text, body: text, notices: [], citations: [], more: undefined, mode: 'generative' }
      }
      const notices = noticesFor(citations, input.now)
      const body = framed(generated.body)
      return { ...base, status: 'answered', text: formatAnswer(body, citations, notices, english), body, notices, citations, more: undefined, mode: 'generative' }
    }
    fallbackReason = generated.reason
    // The model failed; the extractive answer stands only where word matching found it covered.
    if (!composed.covered) return decline(fallbackReason)
  }

  const body = framed(composed.body)
  const shown = composed.citations.filter((c) => composed.body.includes(`〔${c.n}〕`))
  const inMore = composed.citations.filter((c) => !shown.includes(c))
  const notices = noticesFor(shown, input.now)
  const more = composed.more ? `${composed.more}\n\n${answerCopy.sourcesTitle.zh}\n${[...shown, ...inMore].filter((c) => composed.more!.includes(`〔${c.n}〕`)).map(sourceLine).join('\n')}` : undefined
  return { ...base, status: 'answered', text: formatAnswer(body, shown, notices, english), body, notices, citations: shown, more, mode: 'extractive', fallbackReason }
}
