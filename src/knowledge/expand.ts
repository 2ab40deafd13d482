import lexicon from '../../knowledge/lexicon.json' with { type: 'json' }

const data = lexicon as { terms: Record<string, string[]>; synonyms: Record<string, string[]>; domain: string[] }
const domain = data.domain.map((d) => d.toLowerCase())

/** Whether a question mentions anything of our subject (SMEs, programmes, digital transformation). */
export function mentionsDomain(query: string): boolean {
  const text = `${query} ${englishExpansions(query).join(' ')} ${synonymExpansions(query).join(' ')}`.toLowerCase()
  return domain.some((d) => text.includes(d))
}
const terms = new Map(Object.entries(data.terms))
const synonyms = new Map(Object.entries(data.synonyms))
const synonymKeys = [...synonyms.keys()].sort((a, b) => b.length - a.length)

/** The documents' formal words for an everyday word (老闆 → 負責人…), or none. */
export function synonymsOf(word: string): string[] {
  return synonyms.get(word) ?? []
}

/** Formal equivalents of everyday words found anywhere in a query. */
export function synonymExpansions(query: string): string[] {
  const added: string[] = []
  for (const key of synonymKeys) if (query.includes(key)) added.push(...synonyms.get(key)!)
  return [...new Set(added)]
}
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
  const added = [...new Set([...englishExpansions(query), ...synonymExpansions(query)])]
  return added.length > 0 ? `${query} ${added.join(' ')}` : query
}
