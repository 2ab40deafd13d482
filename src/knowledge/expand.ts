import lexicon from '../../knowledge/lexicon.json' with { type: 'json' }

const terms = new Map(Object.entries((lexicon as { terms: Record<string, string[]> }).terms))
const phrases = [...terms.keys()].filter((k) => k.includes(' ')).sort((a, b) => b.length - a.length)

/**
 * Adds the Chinese terms of English words in a query ("subsidy" → 補助), so questions typed in
 * English or mixed language find the Chinese documents. Returns the added terms.
 */
export function englishExpansions(query: string): string[] {
  let text = query.toLowerCase()
  const added: string[] = []
  for (const phrase of phrases) {
    if (text.includes(phrase)) {
      added.push(...terms.get(phrase)!)
      text = text.replaceAll(phrase, ' ')
    }
  }
  for (const word of text.match(/[a-z][a-z&-]*/g) ?? []) {
    const zh = terms.get(word) ?? terms.get(word.replace(/s$/, ''))
    if (zh) added.push(...zh)
  }
  return [...new Set(added)]
}

export function expandQuery(query: string): string {
  const added = englishExpansions(query)
  return added.length > 0 ? `${query} ${added.join(' ')}` : query
}
