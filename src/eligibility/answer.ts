import { asc, inArray } from 'drizzle-orm'
import type { EligibilityAnswerer } from '../answer/service.js'
import { formatAnswer } from '../answer/service.js'
import { sourceLine } from '../answer/notices.js'
import type { AnswerResult, Citation } from '../answer/types.js'
import { kbChunks, kbDocuments } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { eligibilityCopy as c } from './copy.js'
import { evaluate, type TrackEvaluation } from './engine.js'
import { hasFacts, readQuestion, type QuestionReading } from './extract.js'
import { describeFacts, programmeDetail, programmeSummary } from './format.js'
import type { ProgrammeRules } from './rules.js'

/**
 * The eligibility hook of the answer chain: a question that states facts about the firm and asks
 * whether it can apply is answered by the rules engine — each rule with its outcome, the window,
 * and the knowledge documents the rules come from as citations.
 */

/** When the engine, not retrieval, should answer. */
export function shouldAnswer(reading: QuestionReading): boolean {
  if (!reading.asksEligibility || !hasFacts(reading.facts)) return false
  if (reading.programmes.length > 0) return true
  // No programme named: only for "which programmes can we apply for", never for a programme the rules do not cover.
  return reading.asksWhichProgrammes && !reading.mentionsOtherProgramme
}

function byProgramme(evals: TrackEvaluation[]): TrackEvaluation[][] {
  const groups = new Map<string, TrackEvaluation[]>()
  for (const e of evals) groups.set(e.programme.id, [...(groups.get(e.programme.id) ?? []), e])
  return [...groups.values()]
}

/** A citation for a programme whose knowledge document is not indexed (yet): named from the rules file. */
function fallbackCitation(n: number, p: TrackEvaluation['programme']): Citation {
  return {
    n,
    documentId: p.document,
    chunkHash: '',
    title: `${p.name}：${c.citationSection}`,
    headingPath: [],
    kind: 'programme',
    status: p.window.closes ? 'closed' : 'planned',
    sourceDate: null,
    windowCloses: p.window.closes ?? null,
  }
}

/** Title, dates and the eligibility section of each cited document, from the index. */
async function citationsFor(db: Db, groups: TrackEvaluation[][]): Promise<Citation[]> {
  const ids = groups.map((g) => g[0]!.programme.document)
  const docs = await db.select().from(kbDocuments).where(inArray(kbDocuments.id, ids))
  const chunks = await db
    .select({ hash: kbChunks.hash, documentId: kbChunks.documentId, headingPath: kbChunks.headingPath })
    .from(kbChunks)
    .where(inArray(kbChunks.documentId, ids))
    .orderBy(asc(kbChunks.ord))
  return groups.map((g, i) => {
    const p = g[0]!.programme
    const doc = docs.find((d) => d.id === p.document)
    if (!doc) return fallbackCitation(i + 1, p)
    const own = chunks.filter((ch) => ch.documentId === doc.id)
    const chunk = own.find((ch) => ch.headingPath.some((h) => c.eligibilityHeadings.some((w) => h.includes(w)))) ?? own[0]
    return {
      n: i + 1,
      documentId: doc.id,
      chunkHash: chunk?.hash ?? '',
      title: doc.title,
      headingPath: chunk?.headingPath ?? [],
      kind: doc.kind,
      status: doc.status,
      sourceDate: doc.sourceDate,
      windowCloses: doc.windowCloses,
    }
  })
}

/** The answer text (short body and the detailed "看更多"), pure. */
export function composeEligibility(reading: QuestionReading, evals: TrackEvaluation[], rules: ProgrammeRules, citations: Citation[]): { body: string; more: string } {
  const groups = byProgramme(evals)
  const facts = describeFacts(reading.facts, rules)
  const intro = reading.programmes.length > 0 ? c.intro(facts) : c.introAll(facts)
  const blocks = groups.map((g, i) => {
    const failsOnly = reading.programmes.length === 0 && g.every((e) => e.verdict === 'not-eligible')
    const lines = programmeSummary(g, reading.facts, rules, `〔${citations[i]?.n ?? i + 1}〕`)
    return (failsOnly ? lines.filter((l, j) => j === 0 || l.startsWith('❌')) : lines).join('\n')
  })
  const body = [intro, ...blocks, c.disclaimer].join('\n\n')
  const detail = groups.map((g) => programmeDetail(g, reading.facts, rules).join('\n')).join('\n\n')
  const more = `${detail}\n\n📄 資料來源\n${citations.map(sourceLine).join('\n')}`
  return { body: `${body}\n${c.moreHint}`, more }
}

export function createEligibilityAnswerer(deps: { db: Db; rules: ProgrammeRules }): EligibilityAnswerer {
  return async (question, now) => {
    const reading = readQuestion(question, deps.rules)
    if (!shouldAnswer(reading)) return undefined
    const evals = evaluate(deps.rules, reading.facts, now, { programmes: reading.programmes, tracks: reading.tracks })
    if (evals.length === 0) return undefined
    const citations = await citationsFor(deps.db, byProgramme(evals))
    const { body, more } = composeEligibility(reading, evals, deps.rules, citations)
    const result: AnswerResult = {
      status: 'answered',
      text: formatAnswer(body, citations, []),
      body,
      notices: [],
      citations,
      more,
      mode: 'extractive',
      searchQuery: question,
      retrieved: [],
      coverage: { ratio: 1, missing: [] },
    }
    return result
  }
}
