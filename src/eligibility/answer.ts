import { asc, inArray } from 'drizzle-orm'
import type { EligibilityAnswerer } from '../answer/service.js'
import { formatAnswer } from '../answer/service.js'
import { sourceLine } from '../answer/notices.js'
import type { AnswerResult, Citation } from '../answer/types.js'
import { kbChunks, kbDocuments } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { eligibilityCopy as c } from './copy.js'
import { evaluate, factsSchema, type Facts, type TrackEvaluation } from './engine.js'
import { hasFacts, readQuestion, type QuestionReading } from './extract.js'
import { checkingNote, describeFacts, mainReason, programmeDetail, programmeSummary, ruleDetail, trackNote, windowTag } from './format.js'
import { recommend } from './recommend.js'
import type { Programme, ProgrammeRules } from './rules.js'

/**
 * The eligibility hook of the answer chain: a question that states facts about the firm and asks
 * whether it can apply is answered by the rules engine — each rule with its outcome, the window,
 * and the knowledge documents the rules come from as citations.
 */

/** When the engine, not retrieval, should answer. */
export function shouldAnswer(reading: QuestionReading): boolean {
  if (!reading.asksEligibility || !hasFacts(reading.facts) || reading.beyondRules) return false
  if (reading.programmes.length > 0) return true
  // No programme named: only for "which programmes can we apply for", never for a programme the rules do not cover.
  return reading.asksWhichProgrammes && !reading.mentionsOtherProgramme
}

function byProgramme(evals: readonly TrackEvaluation[]): TrackEvaluation[][] {
  const groups = new Map<string, TrackEvaluation[]>()
  for (const e of evals) groups.set(e.programme.id, [...(groups.get(e.programme.id) ?? []), e])
  return [...groups.values()]
}

/** A citation for a programme whose knowledge document is not indexed (yet): named from the rules file. */
function fallbackCitation(n: number, p: Programme): Citation {
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

/** Title, dates and the eligibility section of each cited programme's document, from the index. */
async function citationsFor(db: Db, cited: Programme[]): Promise<Citation[]> {
  // Programmes restated in one document share its citation.
  const programmes = cited.filter((p, i) => cited.findIndex((q) => q.document === p.document) === i)
  const ids = programmes.map((p) => p.document)
  if (ids.length === 0) return []
  const docs = await db.select().from(kbDocuments).where(inArray(kbDocuments.id, ids))
  const chunks = await db
    .select({ hash: kbChunks.hash, documentId: kbChunks.documentId, headingPath: kbChunks.headingPath })
    .from(kbChunks)
    .where(inArray(kbChunks.documentId, ids))
    .orderBy(asc(kbChunks.ord))
  return programmes.map((p, i) => {
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

/** A suggested next message, sent by a quick-reply tap. */
export interface FollowUp {
  label: string
  text: string
}

export interface ComposedEligibility {
  body: string
  more: string
  followUps: FollowUp[]
}

/** Programmes the body names, in the order they are cited. */
export function citedProgrammes(reading: QuestionReading, evals: TrackEvaluation[], rules: ProgrammeRules): Programme[] {
  if (reading.programmes.length > 0) return byProgramme(evals).map((g) => g[0]!.programme)
  const r = recommend(evals, rules, reading.facts)
  if (reading.asksNotEligible) return r.notEligible.slice(0, c.shownPerGroup * 2).map((e) => e.programme)
  const shown = [...r.eligible.slice(0, c.shownPerGroup), ...r.checking.slice(0, c.shownPerGroup)]
  return (shown.length > 0 ? shown : r.notEligible.slice(0, 1)).map((e) => e.programme)
}

/** "Which programmes can we apply for": what fits first, what would settle the rest, what does not fit only counted. */
function composeRecommendation(reading: QuestionReading, evals: TrackEvaluation[], rules: ProgrammeRules, citations: Citation[]): ComposedEligibility {
  const r = recommend(evals, rules, reading.facts)
  const facts = describeFacts(reading.facts, rules)
  const cite = (p: Programme) => {
    const n = citations.find((x) => x.documentId === p.document)?.n
    return n ? `〔${n}〕` : ''
  }
  const followUps: FollowUp[] = []
  const lines: string[] = []
  const detail: string[] = []
  if (reading.asksNotEligible) {
    lines.push(r.notEligible.length > 0 ? c.notEligibleIntro(facts, r.notEligible.length) : c.noneNotEligible(facts))
    for (const e of r.notEligible.slice(0, c.shownPerGroup * 2)) {
      lines.push(`・【${e.programme.short_name}】${e.failed.map((f) => ruleDetail(f, reading.facts, rules)).slice(0, 1).join('')}${cite(e.programme)}`)
    }
    for (const e of r.notEligible) detail.push(programmeDetail(evals.filter((x) => x.programme.id === e.programme.id), reading.facts, rules).join('\n'))
  } else {
    lines.push(c.introAll(facts, evals.length > 0 ? new Set(evals.map((e) => e.programme.id)).size : 0))
    const shownEligible = r.eligible.slice(0, c.shownPerGroup)
    const shownChecking = r.checking.slice(0, c.shownPerGroup)
    if (shownEligible.length > 0) {
      lines.push(c.group.eligible(r.eligible.length))
      for (const e of shownEligible) lines.push(`・【${e.programme.short_name}】${trackNote(e)}${e.programme.summary ?? e.tracks[0]!.benefit}${cite(e.programme)}｜${windowTag(e)}`)
    }
    if (shownChecking.length > 0) {
      lines.push(c.group.checking(r.checking.length))
      for (const e of shownChecking) lines.push(`・【${e.programme.short_name}】${trackNote(e)}${checkingNote(e)}${cite(e.programme)}｜${windowTag(e)}`)
    }
    const hidden = r.eligible.length - shownEligible.length + r.checking.length - shownChecking.length
    if (hidden > 0) lines.push(c.moreInDetail(hidden))
    if (r.eligible.length + r.checking.length === 0) {
      lines.push(c.nothingFits(r.notEligible.length, mainReason(r.notEligible) ?? ''), c.nextSteps)
    } else {
      if (!r.openNow) lines.push(c.nothingOpenNow)
      if (r.notEligible.length > 0) lines.push(c.notEligibleCount(r.notEligible.length, mainReason(r.notEligible) ?? ''))
    }
    if (r.ask) {
      lines.push(`👉 ${r.ask.question.ask}`)
      followUps.push(...r.ask.question.options.map((o) => ({ label: o.label, text: o.says })))
    }
    if (r.notEligible.length > 0) followUps.push({ label: c.showNotEligible, text: c.showNotEligibleSays })
    for (const e of [...r.eligible, ...r.checking]) detail.push(programmeDetail(evals.filter((x) => x.programme.id === e.programme.id), reading.facts, rules).join('\n'))
    if (r.notEligible.length > 0) detail.push(`${c.notEligibleHeading}\n${r.notEligible.map((e) => `・${e.programme.short_name}：${e.failed.map((f) => f.rule.label).join('、')}`).join('\n')}`)
  }
  lines.push(c.shortDisclaimer)
  return { body: lines.join('\n'), more: `${detail.join('\n\n')}\n\n📄 資料來源\n${citations.map(sourceLine).join('\n')}`, followUps }
}

/** The answer text (short body, the detailed "看更多", suggested next messages), pure. */
export function composeEligibility(reading: QuestionReading, evals: TrackEvaluation[], rules: ProgrammeRules, citations: Citation[]): ComposedEligibility {
  if (reading.programmes.length === 0) return composeRecommendation(reading, evals, rules, citations)
  const groups = byProgramme(evals)
  const facts = describeFacts(reading.facts, rules)
  const blocks = groups.map((g, i) => programmeSummary(g, reading.facts, rules, `〔${citations[i]?.n ?? i + 1}〕`).join('\n'))
  const hasChecks = blocks.some((b) => b.includes(c.stillToCheck))
  const body = [c.intro(facts), ...blocks, hasChecks ? c.disclaimerWithChecks : c.disclaimer].join('\n\n')
  const detail = groups.map((g) => programmeDetail(g, reading.facts, rules).join('\n')).join('\n\n')
  const more = `${detail}\n\n📄 資料來源\n${citations.map(sourceLine).join('\n')}`
  return { body: `${body}\n${c.moreHint}`, more, followUps: [] }
}

/** Facts kept in the chat state, read back defensively: a malformed entry is dropped, never trusted. */
export function knownFacts(known: Record<string, unknown> | undefined): Facts {
  const parsed = factsSchema.safeParse(known ?? {})
  return parsed.success ? (parsed.data as Facts) : {}
}

export function createEligibilityAnswerer(deps: { db: Db; rules: ProgrammeRules }): EligibilityAnswerer {
  return async (question, now, known) => {
    const asked = readQuestion(question, deps.rules)
    // What the question says wins over what the chat knew ("那如果是 250 人呢").
    const reading = { ...asked, facts: { ...knownFacts(known), ...asked.facts } }
    if (!shouldAnswer(reading)) return undefined
    const evals = evaluate(deps.rules, reading.facts, now, { programmes: reading.programmes, tracks: reading.tracks })
    if (evals.length === 0) return undefined
    const citations = await citationsFor(deps.db, citedProgrammes(reading, evals, deps.rules))
    const { body, more, followUps } = composeEligibility(reading, evals, deps.rules, citations)
    const result: AnswerResult = {
      status: 'answered',
      text: formatAnswer(body, citations, []),
      body,
      notices: [],
      citations,
      more,
      followUps,
      firmFacts: { ...reading.facts },
      mode: 'extractive',
      searchQuery: question,
      retrieved: [],
      coverage: { ratio: 1, missing: [] },
    }
    return result
  }
}
