import { z } from 'zod'
import type { Range } from './numbers.js'
import type { Comparison, Industry, Programme, ProgrammeRules, Rule, RuleTest, ThresholdTest, Track } from './rules.js'

/**
 * The eligibility engine: pure and deterministic. Facts the user did not give stay undefined and
 * make a rule "unknown" (needs checking) — the engine never assumes.
 */
export interface Facts {
  /** An industry id of the rules' `industries` (manufacturing, food-lodging, software-it…). */
  industry?: string
  /** County or city as the owner names it (臺北市, 台中…), normalised to the 臺 form. */
  region?: string
  employees?: Range
  /** 實收資本額, in 元. */
  capital?: Range
  /** 合併營收 (annual), in 元. */
  revenue?: Range
  /** 中堅企業. */
  midsize?: boolean
  /** registered | exempt | none */
  factory?: string
  /** company | business | limited-partnership | branch | none */
  registration?: string
  chineseInvestment?: boolean
  positiveNetWorth?: boolean
  /** Funding schemes the firm already has (ids of funding_schemes); [] means "none". */
  priorFunding?: string[]
  /** Answers to check rules (planningReport, successor, boardBlueprint…). */
  checks?: Record<string, boolean>
}

/** The chat state key under which what the chat knows about the firm is kept between messages. */
export const FIRM_STATE_KEY = 'firm'

const rangeSchema = z.object({ min: z.number(), max: z.number().nullable() })
/** Facts as stored between messages (chat state, assessment results). */
export const factsSchema = z.object({
  industry: z.string().optional(),
  region: z.string().optional(),
  employees: rangeSchema.optional(),
  capital: rangeSchema.optional(),
  revenue: rangeSchema.optional(),
  midsize: z.boolean().optional(),
  factory: z.string().optional(),
  registration: z.string().optional(),
  chineseInvestment: z.boolean().optional(),
  positiveNetWorth: z.boolean().optional(),
  priorFunding: z.array(z.string()).optional(),
  checks: z.record(z.string(), z.boolean()).optional(),
})

export type RuleOutcome = 'pass' | 'fail' | 'unknown'

/** Why a test came out as it did; the formatter turns this into zh-TW. */
export type Because =
  | { type: 'met' | 'not-met' }
  | { type: 'missing' }
  /** The given range lies on both sides of the threshold (e.g. "200人以上" vs 未滿200人). */
  | { type: 'straddles' }
  /** The documents leave this value open (e.g. 免辦工廠登記 for a programme that only says 已辦理). */
  | { type: 'unclear' }
  /** Over the normal threshold, within the 中堅企業 one, and whether the firm is 中堅 is not known. */
  | { type: 'midsize-unknown' }
  /** Met only thanks to the 中堅企業 relaxation. */
  | { type: 'midsize-met' }
  /** The documents state no such criterion: `explain` says whom to ask. */
  | { type: 'unstated' }
  /** The seeds' two wordings give different answers. */
  | { type: 'conflict'; primary: RuleOutcome; alternative: RuleOutcome }

export interface RuleResult {
  rule: Rule
  outcome: RuleOutcome
  because: Because
}

export type Verdict = 'eligible' | 'not-eligible' | 'needs-checking'

export interface WindowStatus {
  state: 'open' | 'closed' | 'upcoming' | 'not-announced' | 'open-ended' | 'planned'
  opens?: string
  closes?: string
}

export interface TrackEvaluation {
  programme: Programme
  track: Track
  verdict: Verdict
  results: RuleResult[]
  window: WindowStatus
}

export function compare(x: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case '以下':
      return x <= threshold
    case '未滿':
      return x < threshold
    case '超過':
      return x > threshold
    case '以上':
      return x >= threshold
  }
}

/** A range meets a threshold when all of it does, fails when none of it does, else straddles it. */
export function compareRange(r: Range, comparison: Comparison, threshold: number): RuleOutcome {
  const upward = comparison === '超過' || comparison === '以上'
  const lowOk = compare(r.min, comparison, threshold)
  const highOk = r.max === null ? upward : compare(r.max, comparison, threshold)
  if (lowOk && highOk) return 'pass'
  if (!lowOk && !highOk) return 'fail'
  return 'unknown'
}

function threshold(t: ThresholdTest, facts: Facts): { outcome: RuleOutcome; because: Because } {
  const r = facts[t.fact]
  if (!r) return { outcome: 'unknown', because: { type: 'missing' } }
  const base = compareRange(r, t.comparison, t.value)
  if (base === 'pass' || !t.midsize || facts.midsize === false) {
    return { outcome: base, because: base === 'unknown' ? { type: 'straddles' } : { type: base === 'pass' ? 'met' : 'not-met' } }
  }
  const relaxed = compareRange(r, t.midsize.comparison, t.midsize.value)
  if (facts.midsize === true) {
    return { outcome: relaxed, because: relaxed === 'pass' ? { type: 'midsize-met' } : relaxed === 'fail' ? { type: 'not-met' } : { type: 'straddles' } }
  }
  if (relaxed === 'fail') return { outcome: 'fail', because: { type: 'not-met' } }
  return { outcome: 'unknown', because: { type: 'midsize-unknown' } }
}

/** The firm's industry and every broader kind it belongs to (food-lodging → services). */
export function industryLineage(value: string, industries: readonly Industry[]): string[] {
  const out = [value]
  for (let at = industries.find((i) => i.id === value); at?.within && !out.includes(at.within); at = industries.find((i) => i.id === at!.within)) out.push(at.within)
  return out
}

export function evaluateTest(test: RuleTest, facts: Facts, industries: readonly Industry[] = []): { outcome: RuleOutcome; because: Because } {
  switch (test.kind) {
    case 'threshold':
      return threshold(test, facts)
    case 'any-of': {
      const parts = test.of.map((t) => threshold(t, facts))
      if (parts.some((p) => p.outcome === 'pass')) return { outcome: 'pass', because: { type: 'met' } }
      if (parts.every((p) => p.outcome === 'fail')) return { outcome: 'fail', because: { type: 'not-met' } }
      return { outcome: 'unknown', because: parts.some((p) => p.because.type === 'straddles') ? { type: 'straddles' } : { type: 'missing' } }
    }
    case 'one-of': {
      const value = facts[test.fact]
      if (value === undefined) return { outcome: 'unknown', because: { type: 'missing' } }
      const values = test.fact === 'industry' ? industryLineage(value, industries) : [value]
      const ok = test.allowed ? values.some((v) => test.allowed!.includes(v)) : !values.some((v) => test.forbidden!.includes(v))
      if (!ok && test.allowed === undefined) return { outcome: 'fail', because: { type: 'not-met' } }
      if (test.unclear?.some((v) => values.includes(v)) && !test.allowed?.includes(value)) return { outcome: 'unknown', because: { type: 'unclear' } }
      return { outcome: ok ? 'pass' : 'fail', because: { type: ok ? 'met' : 'not-met' } }
    }
    case 'flag': {
      const value = facts[test.fact]
      if (value === undefined) return { outcome: 'unknown', because: { type: 'missing' } }
      return value === test.expect ? { outcome: 'pass', because: { type: 'met' } } : { outcome: 'fail', because: { type: 'not-met' } }
    }
    case 'funding': {
      const prior = facts.priorFunding
      if (prior === undefined) return { outcome: 'unknown', because: { type: 'missing' } }
      if (prior.some((p) => test.banned.includes(p))) return { outcome: 'fail', because: { type: 'not-met' } }
      const unlisted = prior.filter((p) => !test.except.includes(p))
      if (unlisted.length === 0 || test.unlisted === 'pass') return { outcome: 'pass', because: { type: 'met' } }
      return { outcome: 'unknown', because: { type: 'unclear' } }
    }
    case 'check': {
      const value = facts.checks?.[test.fact]
      if (value === undefined) return { outcome: 'unknown', because: { type: 'missing' } }
      return value ? { outcome: 'pass', because: { type: 'met' } } : { outcome: 'fail', because: { type: 'not-met' } }
    }
    case 'unstated':
      return { outcome: 'unknown', because: { type: 'unstated' } }
  }
}

/** One rule; where the seeds word it two ways and the two disagree on these facts, the answer is unknown. */
export function evaluateRule(rule: Rule, facts: Facts, industries: readonly Industry[] = []): RuleResult {
  const primary = evaluateTest(rule.test, facts, industries)
  if (!rule.alternative) return { rule, ...primary }
  const alternative = evaluateTest(rule.alternative.test, facts, industries)
  if (alternative.outcome === primary.outcome) return { rule, ...primary }
  return { rule, outcome: 'unknown', because: { type: 'conflict', primary: primary.outcome, alternative: alternative.outcome } }
}

export function verdictOf(results: RuleResult[]): Verdict {
  if (results.some((r) => r.outcome === 'fail')) return 'not-eligible'
  if (results.some((r) => r.outcome === 'unknown')) return 'needs-checking'
  return 'eligible'
}

/** Windows are dates in Taiwan: a window closing 2024-08-30 is open until 23:59:59 +08:00 that day. */
export function windowStatus(p: Programme, now: Date): WindowStatus {
  if (p.status !== 'windowed') return { state: p.status }
  const { opens, closes } = p.window
  if (!opens || !closes) return { state: 'not-announced' }
  const start = new Date(`${opens}T00:00:00+08:00`)
  const end = new Date(`${closes}T23:59:59.999+08:00`)
  const state = now < start ? 'upcoming' : now > end ? 'closed' : 'open'
  return { state, opens, closes }
}

export interface EvaluateOptions {
  /** Only these programmes (ids); all when empty or undefined. */
  programmes?: string[]
  /** Only these tracks (ids) of the chosen programmes; all when empty or undefined. */
  tracks?: string[]
}

/** Every track of every (chosen) programme, with each rule's outcome and the application window. */
export function evaluate(rules: ProgrammeRules, facts: Facts, now: Date, options: EvaluateOptions = {}): TrackEvaluation[] {
  const out: TrackEvaluation[] = []
  for (const programme of rules.programmes) {
    if (options.programmes?.length && !options.programmes.includes(programme.id)) continue
    const window = windowStatus(programme, now)
    const chosen = programme.tracks.filter((t) => !options.tracks?.length || options.tracks.includes(t.id))
    for (const track of chosen.length > 0 ? chosen : programme.tracks) {
      const results = [...programme.rules, ...track.rules].map((r) => evaluateRule(r, facts, rules.industries))
      out.push({ programme, track, verdict: verdictOf(results), results, window })
    }
  }
  return out
}
