import { sectionHeadings, type KnowledgeDocument } from './frontmatter.js'

/**
 * Words users must never read: our own working terms (seed, chunk, 擷取), file names, English
 * status words, and a reading date written into the text (dates are computed from the clock).
 */
export const INTERNAL_WORDS = /seed\s?\d|\bseeds?\b|\bchunks?\b|擷取|\.(md|txt|ya?ml|jsonl?)\b|[（(]\s*(closed|current|planned)\s*[）)]|以今天|本知識庫/i

/** Where a card's lead is longer than a phone's first screen allows. */
export const LEAD_MAX = 160

/** What a knowledge document still lacks to be done: cards for every section, clean user text. */
export function cardProblems(doc: KnowledgeDocument): string[] {
  const problems: string[] = []
  const cards = new Map(doc.meta.cards.map((c) => [c.section, c]))
  for (const heading of sectionHeadings(doc.body)) if (!cards.has(heading)) problems.push(`section "## ${heading}" has no card`)
  for (const card of doc.meta.cards) {
    const where = `card "${card.section}"`
    if (Array.from(card.lead).length > LEAD_MAX) problems.push(`${where}: lead is ${Array.from(card.lead).length} characters (at most ${LEAD_MAX})`)
    if (card.asks.length < 4) problems.push(`${where}: only ${card.asks.length} phrasing(s) (at least 4)`)
    if (!card.lead_en) problems.push(`${where}: no lead_en`)
    for (const text of [card.lead, card.lead_en ?? '', ...card.asks]) if (INTERNAL_WORDS.test(text)) problems.push(`${where}: internal word in "${text}"`)
  }
  doc.body.split('\n').forEach((line, i) => {
    if (INTERNAL_WORDS.test(line)) problems.push(`body line ${i + 1}: internal word: ${line.slice(0, 80)}`)
  })
  if (INTERNAL_WORDS.test(doc.meta.source)) problems.push(`source: internal word: ${doc.meta.source}`)
  return problems
}
