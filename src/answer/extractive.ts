import type { SearchHit, TermStatistics } from '../knowledge/search.js'
import { tokenize } from '../knowledge/text.js'
import { coverageOf, weightedTerms, type Coverage } from './coverage.js'
import { toUnits } from './passages.js'
import type { Citation } from './types.js'

/** About what a phone shows without scrolling far; the rest goes behind 看更多. */
export const ANSWER_BUDGET = 420
const EXTRA_BUDGET = 180
const MORE_BUDGET = 1500

/** Below this share of the question's subject found in the passages, the bot declines instead of guessing. */
export const COVERAGE_THRESHOLD = 0.6
/** Below this, the question is not about our subject at all. */
export const OUT_OF_SCOPE_THRESHOLD = 0.15

export interface Composed {
  covered: boolean
  coverage: Coverage
  body: string
  citations: Citation[]
  more: string | undefined
}

function scoreUnit(unit: string, weights: Map<string, number>): number {
  const tokens = new Set(tokenize(unit))
  let score = 0
  for (const [t, w] of weights) if (tokens.has(t)) score += w
  return score
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

/** Picks units in their original order: the best-scoring first, then neighbours, within a budget. */
function pick(units: { text: string; score: number }[], budget: number): { chosen: number[]; rest: number[] } {
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
  for (let i = 0; i < units.length && used < budget; i++) {
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
  const weights = weightedTerms(question, stats)
  if (hits.length === 0) return { covered: false, coverage: { ratio: 0, missing: [] }, body: '', citations: [], more: undefined }

  const scored = hits.map((hit) => {
    const units = toUnits(hit.text).map((text) => ({ text, score: scoreUnit(text, weights) }))
    return { hit, units, best: Math.max(0, ...units.map((u) => u.score)) }
  })
  // The main passage: the top hit, unless another top-3 passage holds clearly more of the question.
  const main = scored.slice(0, 3).reduce((a, b) => (b.best > a.best * 1.25 ? b : a), scored[0]!)
  const citations: Citation[] = [citationOf(main.hit, 1)]
  const { chosen, rest } = pick(main.units, ANSWER_BUDGET)
  const lines = [`${chosen.map((i) => main.units[i]!.text).join('\n')}〔1〕`]
  const moreParts: string[] = rest.length > 0 ? [`${rest.map((i) => main.units[i]!.text).join('\n')}〔1〕`] : []

  for (const other of scored) {
    if (other === main) continue
    const sameSection = other.hit.documentId === main.hit.documentId && other.hit.headingPath.join('>') === main.hit.headingPath.join('>')
    const bestUnit = other.units.reduce((a, b) => (b.score > a.score ? b : a), other.units[0] ?? { text: '', score: 0 })
    if (!bestUnit.text || sameSection) continue
    const n = citations.length + 1
    if (lines.length < 3 && bestUnit.score >= main.best * 0.6 && bestUnit.text.length <= EXTRA_BUDGET) {
      citations.push(citationOf(other.hit, n))
      lines.push(`${bestUnit.text}〔${n}〕`)
    } else if (moreParts.join('\n').length < MORE_BUDGET) {
      citations.push(citationOf(other.hit, n))
      moreParts.push(`${other.units.map((u) => u.text).join('\n').slice(0, 400)}〔${n}〕`)
    }
  }

  const shown = citations.filter((c) => lines.some((l) => l.endsWith(`〔${c.n}〕`)))
  const context = scored.filter((s) => shown.some((c) => c.chunkHash === s.hit.chunkHash)).map((s) => [s.hit.title, s.hit.headingPath.join(' '), s.hit.text].join('\n'))
  const coverage = coverageOf(question, context, stats)
  return {
    covered: coverage.ratio >= COVERAGE_THRESHOLD,
    coverage,
    body: lines.join('\n'),
    citations,
    more: moreParts.length > 0 ? moreParts.join('\n\n').slice(0, MORE_BUDGET) : undefined,
  }
}
