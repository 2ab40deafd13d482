import { z } from 'zod'
import lexicon from '../../knowledge/lexicon.json' with { type: 'json' }

const lexiconSchema = z.object({
  terms: z.record(z.string(), z.array(z.string().min(1))),
  synonyms: z.record(z.string(), z.array(z.string().min(1))),
  domain: z.array(z.string().min(1)),
  variants: z.array(z.tuple([z.string().length(1), z.string().length(1)])),
})
const data = lexiconSchema.parse(lexicon)
const domain = data.domain.map((d) => d.toLowerCase())

/** Whether a question mentions anything of our subject (SMEs, programmes, digital transformation). */
export function mentionsDomain(query: string): boolean {
  const text = `${query} ${englishExpansions(query).join(' ')} ${synonymExpansions(query).join(' ')}`.toLowerCase()
  return domain.some((d) => text.includes(d))
}
const terms = new Map(Object.entries(data.terms))
const synonyms = new Map(Object.entries(data.synonyms))
const synonymKeys = [...synonyms.keys()].sort((a, b) => b.length - a.length)

/** Each variant character with its other writing (台 ↔ 臺). */
const variantOf = new Map(data.variants.flatMap(([a, b]) => [[a, b], [b, a]] as const))
const VARIANT_CHARS = new RegExp(`[${[...variantOf.keys()].join('')}]`, 'gu')

/** The word in the other writing of its variant characters ("台灣" → 臺灣), if it has any. */
export function variantForm(word: string): string | undefined {
  const other = word.replace(VARIANT_CHARS, (c) => variantOf.get(c)!)
  return other === word ? undefined : other
}

/** The documents' formal words for an everyday word (老闆 → 負責人…), and its other writing, or none. */
export function synonymsOf(word: string): string[] {
  const variant = variantForm(word)
  const listed = synonyms.get(word) ?? (variant ? synonyms.get(variant) : undefined) ?? []
  return variant ? [...listed, variant] : listed
}

/** Formal equivalents of everyday words found anywhere in a query. */
export function synonymExpansions(query: string): string[] {
  const added: string[] = []
  for (const key of synonymKeys) if (query.includes(key)) added.push(...synonyms.get(key)!)
  return [...new Set(added)]
}
const phrases = [...terms.keys()].filter((k) => k.includes(' ')).sort((a, b) => b.length - a.length)

/**
 * The forms an English word may be listed under: itself, then without a possessive, a plural or a
 * past or -ing ending ("businesses" → business, "assisted" → assist, "reduced" → reduce).
 */
export function baseForms(word: string): string[] {
  const w = word.replace(/'s?$/, '')
  const forms = [w]
  if (w.endsWith('ies')) forms.push(`${w.slice(0, -3)}y`)
  if (/(ss|x|ch|sh)es$/.test(w)) forms.push(w.slice(0, -2))
  if (w.endsWith('s') && !w.endsWith('ss')) forms.push(w.slice(0, -1))
  if (w.endsWith('ied')) forms.push(`${w.slice(0, -3)}y`)
  if (w.endsWith('ed')) forms.push(w.slice(0, -2), w.slice(0, -1))
  if (w.endsWith('ing')) forms.push(w.slice(0, -3), `${w.slice(0, -3)}e`)
  return forms
}

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
  for (const word of text.match(/[a-z][a-z&'-]*/g) ?? []) {
    const zh = baseForms(word).map((w) => terms.get(w)).find(Boolean)
    if (zh) added.push(...zh)
  }
  return [...new Set(added)]
}

/**
 * The Chinese terms of the English phrases a query contains, by each word of the phrase ("greenhouse
 * gas" → gas: 溫室氣體): a word that means nothing alone is found where its phrase's term is.
 */
export function phraseTermsByWord(query: string): Map<string, string[]> {
  const text = query.toLowerCase()
  const byWord = new Map<string, string[]>()
  for (const phrase of phrases) {
    if (!text.includes(phrase)) continue
    for (const word of phrase.split(/[\s-]+/)) byWord.set(word, [...(byWord.get(word) ?? []), ...terms.get(phrase)!])
  }
  return byWord
}

export function expandQuery(query: string): string {
  const variants = (query.match(/\p{Script=Han}+/gu) ?? []).flatMap((run) => variantForm(run) ?? [])
  const added = [...new Set([...englishExpansions(query), ...synonymExpansions(query), ...variants])]
  return added.length > 0 ? `${query} ${added.join(' ')}` : query
}
