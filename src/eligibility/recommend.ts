import type { Facts, RuleResult, TrackEvaluation, Verdict, WindowStatus } from './engine.js'
import type { Programme, ProgrammeRules, RuleTest, SettlingQuestion, Track } from './rules.js'

/**
 * Recommendations from the engine's verdicts, pure: one entry per programme (its best track), ranked
 * so that what the firm can use now comes first — eligible, then needs-checking with what would
 * settle it, and the programmes that do not fit kept apart with their reasons.
 */
export interface ProgrammeRecommendation {
  programme: Programme
  verdict: Verdict
  /** The tracks that reach this verdict (all of them when the programme has one). */
  tracks: Track[]
  window: WindowStatus
  /** Rules of the best track still open, in the rules' order. */
  toCheck: RuleResult[]
  /** Why it does not fit: the failing rules of its closest track. */
  failed: RuleResult[]
  /** Rules of the best track the firm's facts meet: the evidence that it fits. */
  met: number
}

export interface Recommendations {
  eligible: ProgrammeRecommendation[]
  checking: ProgrammeRecommendation[]
  notEligible: ProgrammeRecommendation[]
  /** Some eligible or needs-checking programme can be applied for or used today. */
  openNow: boolean
  /** The one question whose answer settles the most needs-checking programmes. */
  ask?: { fact: string; question: SettlingQuestion }
}

const VERDICT_RANK: Record<Verdict, number> = { eligible: 0, 'needs-checking': 1, 'not-eligible': 2 }
/** What can be used now first; a closed round last. */
const WINDOW_RANK: Record<WindowStatus['state'], number> = { open: 0, 'open-ended': 1, upcoming: 2, 'not-announced': 3, planned: 4, closed: 5 }

export function availableNow(w: WindowStatus): boolean {
  return w.state === 'open' || w.state === 'open-ended'
}

/** The fact a test waits on, when one quick question can settle it. */
export function factOf(test: RuleTest): string | undefined {
  switch (test.kind) {
    case 'threshold':
    case 'one-of':
    case 'flag':
      return test.fact
    case 'any-of':
      return test.of[test.of.length - 1]!.fact
    case 'funding':
      return 'priorFunding'
    case 'check':
    case 'unstated':
      return undefined
  }
}

function programmeEntry(evals: TrackEvaluation[]): ProgrammeRecommendation {
  const sorted = [...evals].sort((a, b) => VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] || a.results.filter((r) => r.outcome !== 'pass').length - b.results.filter((r) => r.outcome !== 'pass').length)
  const best = sorted[0]!
  return {
    programme: best.programme,
    verdict: best.verdict,
    tracks: evals.filter((e) => e.verdict === best.verdict).map((e) => e.track),
    window: best.window,
    toCheck: best.results.filter((r) => r.outcome === 'unknown'),
    failed: best.results.filter((r) => r.outcome === 'fail'),
    met: best.results.filter((r) => r.outcome === 'pass').length,
  }
}

/** The documents say nothing on this: no answer of the firm's can settle it. */
const unstatedOnly = (e: ProgrammeRecommendation) => e.toCheck.every((r) => r.rule.test.kind === 'unstated')

/**
 * `facts` are what the firm already told: a question is never asked about one of them. Within a
 * group, programmes that more of the firm's facts meet come first (a programme written for its kind
 * of firm before a generic one), then what can be used now, then those whose open points the firm
 * can settle before those the documents leave open.
 */
export function recommend(evals: TrackEvaluation[], rules: ProgrammeRules, facts: Facts = {}): Recommendations {
  const groups = new Map<string, TrackEvaluation[]>()
  for (const e of evals) groups.set(e.programme.id, [...(groups.get(e.programme.id) ?? []), e])
  const order = [...groups.keys()]
  const entries = [...groups.values()].map(programmeEntry)
  const rank = (a: ProgrammeRecommendation, b: ProgrammeRecommendation) =>
    b.met - a.met ||
    WINDOW_RANK[a.window.state] - WINDOW_RANK[b.window.state] ||
    Number(unstatedOnly(a)) - Number(unstatedOnly(b)) ||
    a.toCheck.length - b.toCheck.length ||
    order.indexOf(a.programme.id) - order.indexOf(b.programme.id)
  const eligible = entries.filter((e) => e.verdict === 'eligible').sort(rank)
  const checking = entries.filter((e) => e.verdict === 'needs-checking').sort(rank)
  const notEligible = entries.filter((e) => e.verdict === 'not-eligible').sort((a, b) => order.indexOf(a.programme.id) - order.indexOf(b.programme.id))
  const counts = new Map<string, number>()
  for (const e of checking) {
    for (const fact of new Set(e.toCheck.map((r) => factOf(r.rule.test)))) {
      if (fact && rules.questions[fact] && (facts as Record<string, unknown>)[fact] === undefined) counts.set(fact, (counts.get(fact) ?? 0) + 1)
    }
  }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]
  return {
    eligible,
    checking,
    notEligible,
    openNow: [...eligible, ...checking].some((e) => availableNow(e.window)),
    ...(top ? { ask: { fact: top[0], question: rules.questions[top[0]]! } } : {}),
  }
}
