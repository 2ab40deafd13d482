import type { Db } from '../db/types.js'
import type { KnowledgeEmbedder } from '../knowledge/embedder.js'
import { expandQuery, mentionsDomain } from '../knowledge/expand.js'
import { searchKnowledge, termStatistics } from '../knowledge/search.js'
import { tokenize } from '../knowledge/text.js'
import { composeExtractive, OUT_OF_SCOPE_THRESHOLD } from './extractive.js'
import { noticesFor, sourceLine } from './notices.js'
import type { AnswerResult, Citation } from './types.js'
import type { IntentClassifier } from './intent.js'

/** Generates an answer from passages; implemented by the LLM chain when OPENAI_API_KEY is set. */
export interface AnswerGenerator {
  generate(input: { question: string; hits: Awaited<ReturnType<typeof searchKnowledge>>; history: string[] }): Promise<
    { ok: true; body: string; citedChunks: string[]; covered: boolean } | { ok: false; reason: string }
  >
}

/** Answers "can we apply?" questions that state facts about the firm from the programme rules; undefined: not such a question. */
export type EligibilityAnswerer = (question: string, now: Date) => Promise<AnswerResult | undefined>

export interface AnswerDeps {
  db: Db
  embedder: KnowledgeEmbedder
  generator?: AnswerGenerator
  /** Decides what a message means when no rule could and no answer was found (LLM mode only). */
  classifier?: IntentClassifier
  /** The deterministic eligibility engine (src/eligibility), tried before retrieval. */
  eligibility?: EligibilityAnswerer
}

/** With a model, passages covering at least this share of the question's subject go to it to judge. */
const MODEL_JUDGES_FROM = 0.35

const FOLLOW_UP = /^(那|那麼|那如果|如果是|如果|還有|另外|至於|換成|改成|若是|要是|then|what about|and\b)/i

/** A follow-up ("那製造業呢?") is searched together with the previous question. */
export function resolveQuery(question: string, previous: string | undefined): string {
  if (!previous) return question
  const short = Array.from(question.replace(/[？?！!。，,\s]/g, '')).length <= 8
  return FOLLOW_UP.test(question.trim()) || short ? `${previous} ${question}` : question
}

export function formatAnswer(body: string, citations: Citation[], notices: string[]): string {
  const sources = citations.map(sourceLine)
  return [`🤖 以下由系統自動整理，僅供參考：`, body, notices.length > 0 ? `⚠️ ${notices.join('\n⚠️ ')}` : '', `📄 資料來源\n${sources.join('\n')}`]
    .filter(Boolean)
    .join('\n\n')
}

/** The user's words are not repeated back: that would echo insults and injected text. */
export function declineText(outOfScope: boolean): string {
  return outOfScope
    ? '抱歉，這個問題超出我能回答的範圍。我只回答中小企業數位轉型與相關政府計畫的問題。需要的話，也可以請真人顧問協助。'
    : '抱歉，我的資料庫裡找不到能回答這個問題的可靠資料，為了不提供錯誤資訊，我先不猜測。建議請真人顧問協助確認，或換個方式再問一次。'
}

/** Answers a programme question from the knowledge base: generated when configured, else extractive. */
export async function answerQuestion(deps: AnswerDeps, input: { question: string; previousQuestion?: string; history?: string[]; now: Date }): Promise<AnswerResult> {
  const searchQuery = resolveQuery(input.question, input.previousQuestion)
  const ruled = await deps.eligibility?.(searchQuery, input.now)
  if (ruled) return ruled
  const hits = await searchKnowledge(deps.db, deps.embedder, searchQuery, { limit: 5 })
  const stats = await termStatistics(deps.db, tokenize(expandQuery(searchQuery)))
  const composed = composeExtractive(searchQuery, hits, stats)
  const retrieved = hits.map((h) => ({ chunkHash: h.chunkHash, title: h.title, headingPath: h.headingPath, text: h.text, score: h.score }))
  const base = { searchQuery, retrieved, coverage: { ratio: Math.round(composed.coverage.ratio * 1000) / 1000, missing: composed.coverage.missing } }

  const decline = (fallbackReason?: string): AnswerResult => {
    const outOfScope = composed.coverage.ratio < OUT_OF_SCOPE_THRESHOLD || !mentionsDomain(searchQuery)
    const text = declineText(outOfScope)
    return { ...base, status: outOfScope ? 'out-of-scope' : 'not-covered', text, body: text, notices: [], citations: [], more: undefined, mode: 'extractive', fallbackReason }
  }
  // A model reads paraphrase that word matching misses ("補貼天花板" for 補助上限), so with one the
  // passages go to it unless they are plainly off the question; it says itself whether they answer.
  const modelJudges = deps.generator !== undefined && composed.coverage.ratio >= MODEL_JUDGES_FROM && mentionsDomain(searchQuery)
  if (!composed.covered && !modelJudges) return decline()

  let fallbackReason: string | undefined
  if (deps.generator) {
    const generated = await deps.generator.generate({ question: searchQuery, hits, history: input.history ?? [] })
    if (generated.ok) {
      const citations = hits
        .filter((h) => generated.citedChunks.includes(h.chunkHash))
        .map((h, i): Citation => ({ n: i + 1, documentId: h.documentId, chunkHash: h.chunkHash, title: h.title, headingPath: h.headingPath, kind: h.kind, status: h.status, sourceDate: h.sourceDate, windowCloses: h.windowCloses }))
      if (!generated.covered) {
        const text = declineText(false)
        return { ...base, status: 'not-covered', text, body: text, notices: [], citations: [], more: undefined, mode: 'generative' }
      }
      const notices = noticesFor(citations, input.now)
      return { ...base, status: 'answered', text: formatAnswer(generated.body, citations, notices), body: generated.body, notices, citations, more: undefined, mode: 'generative' }
    }
    fallbackReason = generated.reason
    // The model failed; the extractive answer stands only where word matching found it covered.
    if (!composed.covered) return decline(fallbackReason)
  }

  const shown = composed.citations.filter((c) => composed.body.includes(`〔${c.n}〕`))
  const inMore = composed.citations.filter((c) => !shown.includes(c))
  const notices = noticesFor(shown, input.now)
  const more = composed.more ? `${composed.more}\n\n📄 資料來源\n${[...shown, ...inMore].filter((c) => composed.more!.includes(`〔${c.n}〕`)).map(sourceLine).join('\n')}` : undefined
  return { ...base, status: 'answered', text: formatAnswer(composed.body, shown, notices), body: composed.body, notices, citations: shown, more, mode: 'extractive', fallbackReason }
}
