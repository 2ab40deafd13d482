import type { SearchHit, TermStatistics } from '../knowledge/search.js'
import { normalize } from '../knowledge/text.js'
import { mentionsDomain } from '../knowledge/expand.js'
import { asksAnswerType, asksSomething, coverageOf, missingAnswerType, missingYear, questionFocus, subjectTerms, type Coverage } from './coverage.js'
import { toUnits } from './passages.js'
import type { Citation } from './types.js'

/** About what a phone shows without scrolling far; the rest goes behind 看更多. */
export const ANSWER_BUDGET = 420
const EXTRA_BUDGET = 180
const MORE_BUDGET = 1500

/** Below this share of the question's subject found in the passages, the bot declines instead of guessing. */
export const COVERAGE_THRESHOLD = 0.6
/**
 * The bar for questions that ask for no figure or kind of fact ("什麼是…", "要準備什麼", "為什麼…").
 * Their wording strays further from the documents', and what the knowledge base lacks is nearly
 * always a figure, a date or a limit, which keeps the full bar: a number is never guessed. A
 * message that asks nothing ("請把…貼給我") keeps it too.
 */
const DESCRIPTIVE_THRESHOLD = 0.5
const OFF_DOMAIN_THRESHOLD = 0.85
/** Below this, the question is not about our subject at all. */
export const OUT_OF_SCOPE_THRESHOLD = 0.15

export interface Composed {
  covered: boolean
  coverage: Coverage
  body: string
  citations: Citation[]
  more: string | undefined
}

/** Questions after a quantity, amount, share or date: sentences with figures answer them. */
const ASKS_FIGURE = /多少|幾|比例|金額|上限|額度|預算|經費|how (many|much|long)|\bwhen\b|什麼時候|哪一年|期間|日期/i
const HAS_FIGURE = /\d/

function scoreUnit(unit: string, terms: { forms: string[]; weight: number }[], wantsFigure: boolean): number {
  const hay = normalize(unit)
  let score = 0
  for (const t of terms) if (t.forms.some((f) => hay.includes(f))) score += t.weight
  return wantsFigure && HAS_FIGURE.test(unit) ? score * 1.3 : score
}

function citationOf(hit: SearchHit, n: number): Citation {
  return {
    n,
    documentId: hit.documentId,
    chunkHash: hit.chunkHash,
    title: hit.title,
    headingPath: hit.headingPath,
    kind: hit.kind,
    status: hit.status,
    sourceDate: hit.sourceDate,
    windowCloses: hit.windowCloses,
  }
}

/** Picks units in their original order: the best-scoring first, then (if `fill`) neighbours, within a budget. */
function pick(units: { text: string; score: number }[], budget: number, fill = true): { chosen: number[]; rest: number[] } {
  const order = units.map((u, i) => i).sort((a, b) => units[b]!.score - units[a]!.score || a - b)
  const chosen = new Set<number>()
  let used = 0
  for (const i of order) {
    const len = units[i]!.text.length
    if (chosen.size > 0 && (used + len > budget || units[i]!.score === 0)) continue
    chosen.add(i)
    used += len
  }
  // Fill with leading context (often the sentence naming the subject) while room remains.
  for (let i = 0; fill && i < units.length && used < budget; i++) {
    if (!chosen.has(i) && used + units[i]!.text.length <= budget) {
      chosen.add(i)
      used += units[i]!.text.length
    }
  }
  const sorted = [...chosen].sort((a, b) => a - b)
  return { chosen: sorted, rest: units.map((_, i) => i).filter((i) => !chosen.has(i)) }
}

/**
 * The offline answer: the best passage's most relevant sentences, plus the best sentence of other
 * strong passages, each marked with its source number. Nothing is written that the sources do not say.
 */
export function composeExtractive(question: string, hits: SearchHit[], stats: TermStatistics): Composed {
  const terms = subjectTerms(question, stats)
  // Words every passage shares name the topic; words only some passages have name what is asked
  // ("哪個機關"), so within these passages they weigh more.
  // (Titles are left out: passages of one document share theirs.) The word the question asks
  // for ("哪個機關") counts double.
  const hay = hits.map((h) => normalize(`${h.headingPath.join(' ')} ${h.text}`))
  const focus = questionFocus(question)
  const weights = terms.map((t) => {
    const share = hay.filter((x) => t.forms.some((f) => x.includes(f))).length / Math.max(1, hits.length)
    const focused = focus !== undefined && t.forms.includes(normalize(focus)) ? 2 : 1
    return { ...t, weight: t.weight * (2 - share) * focused }
  })
  if (hits.length === 0) return { covered: false, coverage: { ratio: 0, missing: [] }, body: '', citations: [], more: undefined }

  const wantsFigure = ASKS_FIGURE.test(question)
  const scored = hits.map((hit, rank) => {
    // The title and headings give a passage its subject even when its sentences do not repeat it.
    const heading = hit.headingPath.join(' ')
    const context = scoreUnit(`${hit.title} ${heading}`, weights, false)
    const units = toUnits(hit.text).map((text) => ({ text, score: scoreUnit(text, weights, wantsFigure) }))
    const best = Math.max(0, ...units.map((u) => u.score))
    const holds = missingAnswerType(question, [hit.text]) === undefined && missingYear(question, [hit.text, heading]) === undefined
    // What the rest of the passage adds: a question in two parts is answered by the passage holding both.
    const beyondBest = Math.max(0, scoreUnit(hit.text, weights, wantsFigure) - best)
    return { hit, units, best, merit: (best + context * 0.5 + beyondBest * 0.3) * (1 - 0.08 * rank), holds }
  })
  // The main passage: the one whose best sentence, context and other sentences hold most of the question, with a
  // small preference for the retriever's order. If it lacks the kind of fact asked for (an amount,
  // a date…) or the year named, another section of the same document that has it leads instead;
  // another document's would answer about something else.
  const byMerit = [...scored].sort((a, b) => b.merit - a.merit)
  const best = byMerit[0]!
  const main = best.holds ? best : (byMerit.find((x) => x.holds && x.hit.documentId === best.hit.documentId) ?? best)
  const citations: Citation[] = [citationOf(main.hit, 1)]
  const { chosen, rest } = pick(main.units, ANSWER_BUDGET)
  const lines = [`${chosen.map((i) => main.units[i]!.text).join('\n')}〔1〕`]
  const moreParts: string[] = rest.length > 0 ? [`${rest.map((i) => main.units[i]!.text).join('\n')}〔1〕`] : []

  for (const other of scored) {
    if (other === main) continue
    const sameSection = other.hit.documentId === main.hit.documentId && other.hit.headingPath.join('>') === main.hit.headingPath.join('>')
    const best = other.units.reduce((a, b) => (b.score > a.score ? b : a), other.units[0] ?? { text: '', score: 0 })
    if (!best.text || sameSection) continue
    const n = citations.length + 1
    if (lines.length < 3 && best.score >= main.best * 0.6) {
      // Its most relevant sentences, in order, within a small budget.
      const { chosen } = pick(other.units.filter((u) => u.score > 0), EXTRA_BUDGET, false)
      const relevant = other.units.filter((u) => u.score > 0)
      citations.push(citationOf(other.hit, n))
      lines.push(`${chosen.map((i) => relevant[i]!.text).join('\n')}〔${n}〕`)
    } else if (moreParts.join('\n').length < MORE_BUDGET) {
      citations.push(citationOf(other.hit, n))
      moreParts.push(`${other.units.map((u) => u.text).join('\n').slice(0, 400)}〔${n}〕`)
    }
  }

  const shown = citations.filter((c) => lines.some((l) => l.endsWith(`〔${c.n}〕`)))
  // What the user is shown (with its sources' titles and headings) must carry the question's subject.
  const context = [...lines, ...shown.map((c) => `${c.title} ${c.headingPath.join(' ')}`)]
  const coverage = coverageOf(question, context, stats)
  // The kind of fact asked for (an amount, a date…) must be in the main passage: a figure in a side
  // passage answers some other question. Years may be spread ("109年…？110年…？").
  const lead = [lines[0]!, `${main.hit.title} ${main.hit.headingPath.join(' ')}`]
  const lacking = missingAnswerType(question, lead) ?? missingYear(question, context)
  // Off our subject altogether, only a near-complete match counts (a passage may share a place name).
  const descriptive = asksSomething(question) && !wantsFigure && !asksAnswerType(question)
  const threshold = !mentionsDomain(question) ? OFF_DOMAIN_THRESHOLD : descriptive ? DESCRIPTIVE_THRESHOLD : COVERAGE_THRESHOLD
  return {
    covered: coverage.ratio >= threshold && lacking === undefined,
    coverage,
    body: lines.join('\n'),
    citations,
    more: moreParts.length > 0 ? moreParts.join('\n\n').slice(0, MORE_BUDGET) : undefined,
  }
}
