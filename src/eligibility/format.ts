import { sourceName } from '../knowledge/sources.js'
import { eligibilityCopy as c } from './copy.js'
import { evaluateTest, type Because, type Facts, type RuleResult, type TrackEvaluation, type Verdict, type WindowStatus } from './engine.js'
import { formatAmount, formatRange } from './numbers.js'
import type { AmountFact, ProgrammeRules, Programme, RuleSource, ThresholdTest } from './rules.js'
import type { ProgrammeRecommendation } from './recommend.js'

function sourceOf(s: RuleSource): string {
  return `${s.name ?? sourceName(s.seed ?? '')} ${s.section}`
}

/** zh-TW sentences for engine results: one line per rule, a verdict label, the window. */

export function verdictLabel(v: Verdict): string {
  return c.verdict[v]
}

export function criterion(t: { comparison: ThresholdTest['comparison']; value: number }, fact: AmountFact): string {
  const amount = formatAmount(fact === 'employees' ? 'people' : 'money', t.value)
  return t.comparison === '未滿' || t.comparison === '超過' ? `${t.comparison}${amount}` : `${amount}${t.comparison}`
}

function observed(fact: AmountFact, facts: Facts): string {
  const r = facts[fact]
  return r ? `${c.factName[fact]}${formatRange(fact === 'employees' ? 'people' : 'money', r)}` : `${c.factName[fact]}${c.notGiven}`
}

function valueLabel(fact: 'industry' | 'factory' | 'registration' | 'region', value: string | undefined, rules?: ProgrammeRules): string {
  if (value === undefined) return c.notGiven
  if (fact === 'industry') return rules?.industries.find((i) => i.id === value)?.name ?? (c.values.industry as Record<string, string>)[value] ?? value
  if (fact === 'region') return value
  const labels = c.values[fact] as Record<string, string>
  return labels[value] ?? value
}

function schemeNames(rules: ProgrammeRules | undefined, ids: string[]): string {
  return ids.map((id) => rules?.funding_schemes.find((s) => s.id === id)?.name ?? id).join('、')
}

/** What the engine saw and concluded for one rule, without the icon. */
export function ruleDetail(r: RuleResult, facts: Facts, rules?: ProgrammeRules): string {
  const t = r.rule.test
  const b: Because = r.because
  if (b.type === 'conflict') return r.rule.conflict ?? c.conflictFallback
  if (b.type === 'unstated') return r.rule.explain
  if (b.type === 'missing' || b.type === 'unclear') return `${c.pleaseCheck}${r.rule.explain}`
  switch (t.kind) {
    case 'threshold': {
      const seen = observed(t.fact, facts)
      if (b.type === 'met') return `${seen}，${criterion(t, t.fact)}`
      if (b.type === 'midsize-met') return `${seen}；${c.midsizeRelaxed}${criterion(t.midsize!, t.fact)}`
      if (b.type === 'midsize-unknown') return `${seen}，${c.over}${criterion(t, t.fact)}；${c.ifMidsize}${criterion(t.midsize!, t.fact)}${c.confirmMidsize}`
      if (b.type === 'straddles') return `${seen}，${c.straddles(criterion(t, t.fact))}`
      return `${seen}，${c.notMeet(criterion(t, t.fact) + (t.midsize && facts.midsize ? `（${c.midsize}${criterion(t.midsize, t.fact)}）` : ''))}`
    }
    case 'any-of': {
      const seen = t.of.map((p) => observed(p.fact, facts)).join('、')
      const rule = t.of.map((p) => `${c.factName[p.fact]}${criterion(p, p.fact)}`).join(c.or)
      if (b.type === 'met') {
        const passed = t.of.filter((p) => evaluateTest(p, facts).outcome === 'pass')
        return `${passed.map((p) => `${observed(p.fact, facts)}，${criterion(p, p.fact)}`).join('；')}${c.oneOfEnough(rule)}`
      }
      if (b.type === 'straddles') return `${seen}，${c.straddles(rule)}`
      return `${seen}，${c.notMeet(rule)}`
    }
    case 'one-of': {
      const v = valueLabel(t.fact, facts[t.fact], rules)
      const provided = t.provided?.[facts[t.fact] ?? '']
      return b.type === 'met' ? (provided ? `${v}（${provided}）` : v) : `${v}，${c.notMeet(r.rule.wording)}`
    }
    case 'flag':
      return b.type === 'met' ? r.rule.label : c.notMeet(r.rule.wording)
    case 'funding': {
      const prior = facts.priorFunding ?? []
      if (b.type === 'not-met') return c.bannedFunding(schemeNames(rules, prior.filter((p) => t.banned.includes(p))))
      const excepted = prior.filter((p) => t.except.includes(p))
      if (excepted.length > 0) return c.exceptedFunding(schemeNames(rules, excepted))
      return prior.length === 0 ? c.noPriorFunding : `${c.otherFundingOk(schemeNames(rules, prior))}`
    }
    case 'check':
      return b.type === 'met' ? c.checkMet : c.notMeet(r.rule.wording)
    case 'unstated':
      return r.rule.explain
  }
}

export function ruleLine(r: RuleResult, facts: Facts, rules?: ProgrammeRules): string {
  return `${c.icon[r.outcome]} ${r.rule.label}：${ruleDetail(r, facts, rules)}`
}

export function windowLine(p: Programme, w: WindowStatus): string {
  const state = w.state === 'open' ? c.window.open(w.closes!) : c.window[w.state]
  if (w.state === 'open-ended' || w.state === 'planned') return `⏰ ${state}${p.window.wording}`
  return `⏰ ${p.window.wording}：${state}`
}

/** "建置案（系統建置導入案）" → "建置案". */
export function trackShortName(name: string): string {
  return name.replace(/（.*$/, '')
}

/** What the user told us, echoed before the comparison ("製造業、員工80人"). */
export function describeFacts(facts: Facts, rules?: ProgrammeRules): string {
  const parts: string[] = []
  if (facts.industry) parts.push(valueLabel('industry', facts.industry, rules))
  if (facts.region) parts.push(facts.region)
  for (const f of ['employees', 'capital', 'revenue'] as const) if (facts[f]) parts.push(observed(f, facts))
  if (facts.midsize !== undefined) parts.push(facts.midsize ? c.midsize : c.notMidsize)
  if (facts.factory) parts.push(valueLabel('factory', facts.factory))
  if (facts.registration) parts.push(valueLabel('registration', facts.registration))
  if (facts.chineseInvestment !== undefined) parts.push(facts.chineseInvestment ? c.chinese : c.notChinese)
  if (facts.priorFunding?.length) parts.push(c.alreadyHas(schemeNames(rules, facts.priorFunding)).replace(/[，,]$/, ''))
  return parts.join('、')
}

/**
 * One programme, short: verdict per track, what passed or failed, and one line listing what is left to
 * confirm. Rules shared by all tracks are shown once; track-only rules under the track.
 */
export function programmeSummary(evals: TrackEvaluation[], facts: Facts, rules: ProgrammeRules | undefined, cite: string): string[] {
  const first = evals[0]!
  const p = first.programme
  const shared = first.results.filter((r) => p.rules.includes(r.rule))
  const lines: string[] = []
  const verdicts = new Set(evals.map((e) => e.verdict))
  const head = verdicts.size === 1 ? verdictLabel(first.verdict) : evals.map((e) => `${e.track.name} ${verdictLabel(e.verdict)}`).join('；')
  lines.push(`【${p.short_name}${evals.length === 1 && p.tracks.length > 1 ? `｜${first.track.name}` : ''}】${head}${cite}`)
  const shown = (rs: RuleResult[]) => rs.filter((r) => r.outcome !== 'unknown' || r.because.type === 'conflict' || r.because.type === 'straddles' || r.because.type === 'midsize-unknown')
  // A rule the firm fails is quoted as the documents word it: the words to check the notice against.
  const line = (r: RuleResult) => (r.outcome === 'fail' ? `${ruleLine(r, facts, rules)}\n　${c.quoted(r.rule.wording)}` : ruleLine(r, facts, rules))
  for (const r of shown(shared)) lines.push(line(r))
  const toCheck = shared.filter((r) => !shown([r]).length).map((r) => r.rule.label)
  /** Track-only conditions left to confirm, by label: the same check in several tracks is listed once. */
  const trackChecks = new Map<string, string[]>()
  for (const e of evals) {
    const own = e.results.filter((r) => !p.rules.includes(r.rule))
    for (const r of shown(own)) lines.push(`${trackShortName(e.track.name)}：${line(r)}`)
    for (const r of own.filter((x) => !shown([x]).length)) trackChecks.set(r.rule.label, [...(trackChecks.get(r.rule.label) ?? []), trackShortName(e.track.name)])
  }
  for (const [label, tracks] of trackChecks) toCheck.push(tracks.length > 1 ? `${label}${c.inTracks(tracks.length)}` : `${label}（${tracks[0]}）`)
  // A phone screen holds a few; the rest are behind 看更多, which lists every rule.
  if (toCheck.length > 0) lines.push(`${c.icon.unknown} ${c.stillToCheck}${briefList(toCheck, CHECKS_SHOWN)}`)
  lines.push(windowLine(p, first.window))
  return lines
}

/** Every rule with its explanation, the documents' wording and the source: the "看更多" part. */
export function programmeDetail(evals: TrackEvaluation[], facts: Facts, rules?: ProgrammeRules): string[] {
  const p = evals[0]!.programme
  const lines = [`【${p.name}】`]
  const seen = new Set<string>()
  for (const e of evals) {
    lines.push(`${e.track.name}：${verdictLabel(e.verdict)}（${e.track.benefit}）`)
    for (const r of e.results) {
      if (seen.has(r.rule.id)) continue
      seen.add(r.rule.id)
      lines.push(`${ruleLine(r, facts, rules)}\n　原文：「${r.rule.wording}」（${sourceOf(r.rule.source)}）`)
      if (r.rule.alternative) lines.push(`　另一處：「${r.rule.alternative.wording}」（${sourceOf(r.rule.alternative.source)}）`)
    }
  }
  return lines
}

/* Short forms for a ranked recommendation (chat answer and result card). */

export function windowTag(e: ProgrammeRecommendation): string {
  return e.window.state === 'open' ? c.tag.open(e.window.closes!) : c.tag[e.window.state]
}

/** How many conditions left to confirm a programme's summary names before "等 N 項". */
const CHECKS_SHOWN = 4

/** "工廠登記、陸資", or the first few and "等 N 項" when there are more than fit (one more would as well be named). */
export function briefList(items: string[], shown: number): string {
  return items.length > shown + 1 ? `${items.slice(0, shown).join('、')}${c.andMore(items.length)}` : items.join('、')
}

/** "還需確認：工廠登記、陸資" — or why the documents cannot settle it. */
export function checkingNote(e: ProgrammeRecommendation): string {
  const unstated = e.toCheck.filter((r) => r.rule.test.kind === 'unstated')
  const labels = e.toCheck.filter((r) => r.rule.test.kind !== 'unstated').map((r) => r.rule.label)
  return [labels.length > 0 ? `${c.stillToCheck}${briefList(labels, 2)}` : '', ...unstated.map((r) => r.rule.label)].filter(Boolean).join('；')
}

export function trackNote(e: ProgrammeRecommendation): string {
  return e.programme.tracks.length > 1 && e.tracks.length < e.programme.tracks.length ? `（${e.tracks.map((t) => trackShortName(t.name)).join('、')}）` : ''
}

/** The most common reason the programmes that do not fit fail ("製造業"). */
export function mainReason(entries: ProgrammeRecommendation[]): string | undefined {
  const counts = new Map<string, number>()
  for (const e of entries) for (const r of e.failed) counts.set(r.rule.label, (counts.get(r.rule.label) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
}
