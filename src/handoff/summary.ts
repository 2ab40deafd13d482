import { createHash } from 'node:crypto'
import { StructuredOutputParser } from '@langchain/core/output_parsers'
import { sql } from 'drizzle-orm'
import { z } from 'zod'
import type { AssessmentDefinition } from '../assessment/definition.js'
import type { Db } from '../db/types.js'
import { unsupportedFigures } from '../answer/generative.js'
import type { CompleteChat } from '../answer/types.js'
import type { CaseContext, CaseRow } from './cases.js'

/**
 * The short summary on top of a case: a template over the case's facts offline, or an LLM summary of
 * the same facts when a model is configured. The LLM's text is accepted only when it is well-formed,
 * in time and adds no figure the facts lack; otherwise the template is shown.
 */

export const REASON_LABELS: Record<string, string> = {
  asked: '使用者主動要求真人顧問',
  unanswered: '小幫手連續無法回答',
  unhappy: '使用者對回答不滿意',
  assessment: '數位健檢後想找顧問',
}

export interface SummaryFacts {
  caseId: number
  reason: string
  company: string | null
  contactTime: string | null
  question: string | null
  profile: Record<string, string>
  overall: { level: number; name: string | null; average: number | null } | null
  weakest: string[]
  eligible: string[]
  needsChecking: string[]
  unanswered: string[]
}

const blank = (v: string | null | undefined) => (v && v.trim() ? v.trim() : null)

export function functionName(def: AssessmentDefinition | undefined, id: string): string {
  return def?.functions.find((f) => f.id === id)?.name ?? id
}

export function levelName(def: AssessmentDefinition | undefined, level: number | null): string | null {
  return level === null ? null : (def?.levels.find((l) => l.level === level)?.name ?? null)
}

/** The facts a consultant needs first, from the case, its context and the assessment definition. */
export function summaryFacts(c: CaseRow, ctx: CaseContext, def?: AssessmentDefinition): SummaryFacts {
  const result = ctx.assessment?.result
  const overallLevel = result?.overall.level ?? null
  return {
    caseId: c.id,
    reason: REASON_LABELS[c.reason] ?? c.reason,
    company: blank(c.intake.company),
    contactTime: blank(c.intake.contactTime),
    question: blank(c.intake.question),
    profile: result?.profile ?? {},
    overall: overallLevel === null ? null : { level: overallLevel, name: levelName(def, overallLevel), average: result?.overall.average ?? null },
    weakest: (result?.weakest ?? []).map((id) => functionName(def, id)),
    eligible: (result?.programmes ?? []).filter((p) => p.verdict === 'eligible').map((p) => p.name),
    needsChecking: (result?.programmes ?? []).filter((p) => p.verdict === 'needs-checking').map((p) => p.name),
    unanswered: ctx.unanswered.map((u) => u.question),
  }
}

/** The offline summary: the same facts, in short zh-TW sentences. */
export function templateSummary(f: SummaryFacts): string {
  const who = [f.company ?? '使用者', ...Object.values(f.profile).slice(0, 2)].join('，')
  const lines = [`${who}：${f.reason}${f.question ? `，想詢問「${f.question}」` : ''}。`]
  if (f.overall) {
    lines.push(
      `數位健檢整體第 ${f.overall.level} 級${f.overall.name ? `（${f.overall.name}）` : ''}${f.weakest.length ? `，較弱的是${f.weakest.join('、')}` : ''}。`,
    )
  } else {
    lines.push('尚未完成數位健檢。')
  }
  if (f.eligible.length) lines.push(`可能符合：${f.eligible.join('、')}。`)
  if (f.needsChecking.length) lines.push(`需再確認資格：${f.needsChecking.join('、')}。`)
  if (f.unanswered.length) lines.push(`小幫手未能回答 ${f.unanswered.length} 題，最近一題：「${f.unanswered[0]}」。`)
  if (f.contactTime) lines.push(`方便聯絡時間：${f.contactTime}。`)
  return lines.join('\n')
}

const summaryParser = StructuredOutputParser.fromZodSchema(z.object({ summary: z.string().trim().min(10).max(400) }))

/** The model's summary, or undefined on any failure (late, malformed, an invented figure). */
export async function llmSummary(complete: CompleteChat, prompt: string, facts: SummaryFacts, deadlineMs = 10_000): Promise<string | undefined> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), deadlineMs)
  try {
    const facts_ = JSON.stringify(facts, null, 1)
    const raw = await complete(
      [
        { role: 'system', content: prompt },
        { role: 'user', content: facts_ },
      ],
      controller.signal,
    )
    const { summary } = await summaryParser.parse(raw)
    if (unsupportedFigures(summary, [facts_]).length > 0) return undefined
    return summary
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
  }
}

export interface Summarizer {
  /** The case's summary: stored, newly generated and stored, or the template. */
  summaryFor(db: Db, c: CaseRow, ctx: CaseContext): Promise<{ text: string; source: 'llm' | 'template' }>
}

/** Identifies a set of facts, so that a stored summary can be checked against the case as it is now. */
function factsDigest(facts: SummaryFacts): string {
  return createHash('sha256').update(JSON.stringify(facts)).digest('hex')
}

/**
 * Offline: always the template (never stored, so it follows new facts). With a model: generated
 * and stored in cases.summary with the digest of its facts; written again once the facts change
 * (an assessment finished, another unanswered question, new intake details), so a consultant never
 * reads a summary of an older case; the template whenever generation fails.
 */
export function createSummarizer(chat: CompleteChat | undefined, def: AssessmentDefinition | undefined, prompt: string): Summarizer {
  return {
    async summaryFor(db, c, ctx) {
      const facts = summaryFacts(c, ctx, def)
      const digest = factsDigest(facts)
      if (c.summary && c.summaryFacts === digest) return { text: c.summary, source: 'llm' }
      if (!chat) return { text: templateSummary(facts), source: 'template' }
      const text = await llmSummary(chat, prompt, facts).catch(() => undefined)
      if (!text) return { text: templateSummary(facts), source: 'template' }
      await db.execute(sql`UPDATE cases SET summary = ${text}, summary_facts = ${digest} WHERE id = ${c.id}`)
      return { text, source: 'llm' }
    },
  }
}
