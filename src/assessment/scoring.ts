import { evaluate, type Facts, type Verdict, type WindowStatus } from '../eligibility/engine.js'
import { ruleLine } from '../eligibility/format.js'
import { formatRange, type Range } from '../eligibility/numbers.js'
import type { ProgrammeRules } from '../eligibility/rules.js'
import type { AssessmentDefinition, Question } from './definition.js'

/**
 * Scoring a finished assessment: levels per function, the overall level, the weakest areas, the tool
 * categories that lift them, the programmes the profile may qualify for, and the change since the
 * previous result.
 *
 * Overall level = floor(mean of the answered functions' levels). Skipped functions do not count;
 * with fewer than `min_answered_for_overall` answers there is no overall level. Rounding down never
 * overstates a firm (2.9 is "level 2": most of its work is not yet at level 3), and "+1 level" — the
 * programmes' success measure — then means the average really rose across functions, not that one
 * system was bought. The mean with one decimal is shown beside it so smaller progress stays visible.
 */

export type StoredAnswer = { option: string } | { amount: Range } | { level: number } | { skipped: true }

export interface ProgrammeFit {
  programme: string
  track: string
  name: string
  verdict: Verdict
  window: WindowStatus['state']
  /** zh-TW lines (icon, rule, what was compared), in the rules' order. */
  lines: { outcome: 'pass' | 'fail' | 'unknown'; text: string; label: string }[]
  document: string
}

export interface AssessmentResult {
  version: string
  completedAt: string
  overall: { level: number | null; average: number | null; answered: number; total: number }
  functions: { id: string; level: number | null }[]
  /** Function ids, weakest first (at most two, never a function already at level 5). */
  weakest: string[]
  /** Tool category ids with the weak functions they help. */
  tools: { id: string; for: string[] }[]
  facts: Facts
  /** Profile answers as the user saw them ("製造業", "10～49人"), by question id. */
  profile: Record<string, string>
  programmes: ProgrammeFit[]
  change?: {
    previousAt: string
    previousLevel: number | null
    previousAverage: number | null
    delta: number | null
    functions: { id: string; before: number | null; after: number | null }[]
  }
}

export function overallOf(levels: (number | null)[], minAnswered: number): AssessmentResult['overall'] {
  const answered = levels.filter((l): l is number => l !== null)
  if (answered.length === 0) return { level: null, average: null, answered: 0, total: levels.length }
  const sum = answered.reduce((a, b) => a + b, 0)
  const average = Math.round((sum / answered.length) * 10) / 10
  const level = answered.length >= minAnswered ? Math.floor(sum / answered.length) : null
  return { level, average, answered: answered.length, total: levels.length }
}

/** The two lowest answered functions below level 5; ties keep the definition's order. */
export function weakestOf(functions: { id: string; level: number | null }[], count = 2): string[] {
  return functions
    .map((f, i) => ({ ...f, i }))
    .filter((f): f is { id: string; level: number; i: number } => f.level !== null && f.level < 5)
    .sort((a, b) => a.level - b.level || a.i - b.i)
    .slice(0, count)
    .map((f) => f.id)
}

export function toolsFor(def: AssessmentDefinition, functions: { id: string; level: number | null }[], weakest: string[]): AssessmentResult['tools'] {
  const out: AssessmentResult['tools'] = []
  for (const id of weakest) {
    const f = def.functions.find((x) => x.id === id)!
    const level = functions.find((x) => x.id === id)!.level!
    const categories = f.tools[String(level) as '1' | '2' | '3' | '4'] ?? []
    for (const c of categories) {
      const existing = out.find((t) => t.id === c)
      if (existing) existing.for.push(id)
      else out.push({ id: c, for: [id] })
    }
  }
  return out
}

/** The engine's facts from the profile answers: option ranges or typed amounts, chosen values. */
export function factsFrom(def: AssessmentDefinition, answers: Record<string, StoredAnswer>): Facts {
  const facts: Facts = {}
  for (const q of def.profile) {
    const a = answers[q.id]
    if (!a || 'skipped' in a || 'level' in a) continue
    if (q.kind === 'amount') {
      const range = 'amount' in a ? a.amount : rangeOfOption(q.options.find((o) => o.value === a.option))
      if (range) facts[q.fact] = range
    } else if ('option' in a && q.fact !== 'region') {
      facts[q.fact] = a.option
    }
  }
  return facts
}

function rangeOfOption(o: { min: number; max?: number } | undefined): Range | undefined {
  return o ? { min: o.min, max: o.max ?? null } : undefined
}

export function programmeFits(rules: ProgrammeRules, facts: Facts, now: Date): ProgrammeFit[] {
  return evaluate(rules, facts, now).map((e) => ({
    programme: e.programme.id,
    track: e.track.id,
    name: `${e.programme.short_name}｜${e.track.name}`,
    verdict: e.verdict,
    window: e.window.state,
    lines: e.results.map((r) => ({ outcome: r.outcome, label: r.rule.label, text: ruleLine(r, facts, rules) })),
    document: e.programme.document,
  }))
}

/** An answer as the user would say it: "製造業", "35人", "第 2 級｜基本文書軟體", "跳過". */
export function answerLabel(def: AssessmentDefinition, question: Question, a: StoredAnswer | undefined): string | undefined {
  if (!a) return undefined
  if ('skipped' in a) return '跳過'
  if ('level' in a) {
    const option = question.section === 'function' ? question.q.options.find((o) => o.level === a.level) : undefined
    return `第 ${a.level} 級｜${option?.label ?? def.levels[a.level - 1]!.name}`
  }
  if (question.section === 'function') return undefined
  const q = question.q
  if ('amount' in a) return formatRange(q.kind === 'amount' ? q.unit : 'people', a.amount)
  return q.options.find((o) => o.value === a.option)?.label
}

export interface PreviousResult {
  completedAt: string
  result: Pick<AssessmentResult, 'overall' | 'functions'>
}

export function buildResult(
  def: AssessmentDefinition,
  rules: ProgrammeRules,
  answers: Record<string, StoredAnswer>,
  now: Date,
  previous?: PreviousResult,
): AssessmentResult {
  const functions = def.functions.map((f) => {
    const a = answers[f.id]
    return { id: f.id, level: a && 'level' in a ? a.level : null }
  })
  const overall = overallOf(
    functions.map((f) => f.level),
    def.min_answered_for_overall,
  )
  const weakest = weakestOf(functions)
  const facts = factsFrom(def, answers)
  const profile: Record<string, string> = {}
  for (const q of def.profile) {
    const label = answerLabel(def, { section: 'profile', q }, answers[q.id])
    if (label) profile[q.id] = label
  }
  const result: AssessmentResult = {
    version: def.version,
    completedAt: now.toISOString(),
    overall,
    functions,
    weakest,
    tools: toolsFor(def, functions, weakest),
    facts,
    profile,
    programmes: programmeFits(rules, facts, now),
  }
  if (previous) {
    const before = previous.result
    result.change = {
      previousAt: previous.completedAt,
      previousLevel: before.overall.level,
      previousAverage: before.overall.average,
      delta: before.overall.level !== null && overall.level !== null ? overall.level - before.overall.level : null,
      functions: functions.map((f) => ({ id: f.id, before: before.functions.find((b) => b.id === f.id)?.level ?? null, after: f.level })),
    }
  }
  return result
}
