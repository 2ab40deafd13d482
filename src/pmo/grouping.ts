import { normalize } from '../knowledge/text.js'

/**
 * Groups similar user questions so PMO staff see "what people keep asking" rather than a long list.
 * Similarity is the Jaccard index over character bigrams of the normalised question (Han characters,
 * latin words and numbers; punctuation and filler dropped) — robust for short Chinese questions where
 * word segmentation is unreliable, and cheap enough to run on every page view. Clustering is greedy:
 * each question joins the most similar existing group (compared with its first, representative
 * question) when the similarity reaches the threshold, else it starts a group.
 */

export interface GapQuestion {
  id: string
  question: string
  /** Why it is a gap: the bot declined, or the user marked the answer 沒幫助. */
  reason: 'not-covered' | 'unhelpful'
  createdAt: string | Date
  /** For unhelpful answers: the documents the answer cited (the place to fix it). */
  citedDocuments: string[]
}

export interface QuestionGroup {
  representative: string
  questions: GapQuestion[]
  notCovered: number
  unhelpful: number
  /** Documents cited by the group's unhelpful answers, most frequent first. */
  documents: string[]
  lastAskedAt: string | Date
}

const FILLER = /請問|想問|我想|我們|是不是|有沒有|嗎|呢|吧|的|了|呀|啊/g
/** Everyday synonyms users swap freely; mapped to one form so "何時" and "什麼時候" match. */
const SYNONYMS: [RegExp, string][] = [
  [/什麼時候|甚麼時候|幾時|哪時候|何時/g, '何時'],
  [/怎麼|怎樣|如何|要怎麼|該怎麼/g, '如何'],
  [/能不能|可不可以|可以|能否|是否能/g, '可否'],
  [/多少錢|多少/g, '多少'],
  [/台/g, '臺'],
]

export function features(question: string): Set<string> {
  let text = normalize(question)
  for (const [pattern, canonical] of SYNONYMS) text = text.replace(pattern, canonical)
  text = text.replace(FILLER, ' ')
  const out = new Set<string>()
  for (const run of text.match(/\p{Script=Han}+/gu) ?? []) {
    const chars = Array.from(run)
    if (chars.length === 1) out.add(chars[0]!)
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!)
  }
  for (const word of text.match(/[a-z0-9]+/g) ?? []) out.add(word)
  return out
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1
  let shared = 0
  for (const x of a) if (b.has(x)) shared++
  return shared / (a.size + b.size - shared)
}

export const GROUP_THRESHOLD = 0.34

export function groupQuestions(questions: GapQuestion[], threshold = GROUP_THRESHOLD): QuestionGroup[] {
  const groups: { head: Set<string>; items: GapQuestion[] }[] = []
  // Oldest first, so a group's representative is the first way the question was asked.
  const ordered = [...questions].sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime())
  for (const q of ordered) {
    const f = features(q.question)
    let best: (typeof groups)[number] | undefined
    let bestScore = threshold
    for (const g of groups) {
      const score = jaccard(f, g.head)
      if (score >= bestScore) {
        best = g
        bestScore = score
      }
    }
    if (best) best.items.push(q)
    else groups.push({ head: f, items: [q] })
  }
  return groups
    .map(({ items }) => {
      const docs = new Map<string, number>()
      for (const q of items) for (const d of q.citedDocuments) docs.set(d, (docs.get(d) ?? 0) + 1)
      return {
        representative: items[0]!.question,
        questions: items,
        notCovered: items.filter((q) => q.reason === 'not-covered').length,
        unhelpful: items.filter((q) => q.reason === 'unhelpful').length,
        documents: [...docs.entries()].sort((a, b) => b[1] - a[1]).map(([d]) => d),
        lastAskedAt: items.reduce((m, q) => (new Date(q.createdAt) > new Date(m) ? q.createdAt : m), items[0]!.createdAt),
      }
    })
    .sort((a, b) => b.questions.length - a.questions.length || new Date(b.lastAskedAt).getTime() - new Date(a.lastAskedAt).getTime())
}
