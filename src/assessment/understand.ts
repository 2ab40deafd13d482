import { findAmounts, parseBareCount, type Range } from '../eligibility/numbers.js'
import { commandWords } from './copy.js'
import type { AssessmentDefinition, Question } from './definition.js'

/**
 * Understanding a typed answer: a command (上一題/跳過/取消…), an option by its label, number or
 * alias ("都用紙本" → level 1), or an amount ("35人", "5000萬"). An alias preceded by a negation
 * ("沒有 ERP") does not count; an alias inside a longer one ("軟體" in "文書軟體") neither.
 */
export type Command = 'back' | 'skip' | 'cancel' | 'continue' | 'restart'

export type Understood =
  | { type: 'command'; command: Command }
  | { type: 'option'; value: string }
  | { type: 'amount'; range: Range }
  | { type: 'level'; level: number }
  /** A money figure without 萬/億/元: ask again for the unit. */
  | { type: 'needs-unit' }
  | { type: 'none' }

/** Lower case, half width (NFKC also turns ① into 1), no spaces. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, '')
}

const TRAILING = /[。.!！~～?？]+$|(吧|了|啦|喔|哦|唷|耶)+$/g

export function parseCommand(text: string): Command | undefined {
  const t = normalize(text).replace(TRAILING, '')
  for (const [command, words] of Object.entries(commandWords) as [Command, readonly string[]][]) {
    if (words.some((w) => normalize(w) === t)) return command
  }
  return undefined
}

const NEGATION = /[沒不無未非]/
const CLAUSE_END = /[,，。;；!！?？、]/

interface Hit {
  key: string
  index: number
  end: number
}

function isAscii(s: string): boolean {
  return /^[a-z0-9 ._-]+$/.test(s)
}

/** Occurrences of aliases that are not negated, not inside a longer hit and (for ascii words) not inside a word. */
export function aliasHits(text: string, entries: { key: string; aliases: string[] }[]): Hit[] {
  const hits: Hit[] = []
  for (const { key, aliases } of entries) {
    for (const raw of aliases) {
      const alias = normalize(raw)
      if (!alias) continue
      let from = 0
      for (;;) {
        const index = text.indexOf(alias, from)
        if (index === -1) break
        from = index + 1
        const end = index + alias.length
        if (isAscii(alias) && (/[a-z0-9]/.test(text[index - 1] ?? '') || /[a-z0-9]/.test(text[end] ?? ''))) continue
        const window = text.slice(Math.max(0, index - 4), index)
        const clause = window.split(CLAUSE_END).at(-1) ?? ''
        if (NEGATION.test(clause)) continue
        hits.push({ key, index, end })
      }
    }
  }
  return hits.filter((h) => !hits.some((o) => o !== h && o.index <= h.index && o.end >= h.end && o.end - o.index > h.end - h.index))
}

function byLabel<T extends { label: string }>(options: T[], text: string): T | undefined {
  return options.find((o) => normalize(o.label) === text)
}

/** 1–5 as "3", "第3級", "3級", "level 3" (① arrives as 1 after normalising). */
function levelNumber(text: string): number | undefined {
  const m = /^(?:第|level)?([1-5])(?:級|分)?$/.exec(text)
  return m ? Number(m[1]) : undefined
}

export function understand(def: AssessmentDefinition, question: Question, input: string): Understood {
  const command = parseCommand(input)
  if (command) return { type: 'command', command }
  const text = normalize(input).replace(TRAILING, '')
  if (!text) return { type: 'none' }

  if (question.section === 'function') {
    const f = question.q
    const labelled = f.options.find((o) => normalize(o.label) === text || normalize(`${o.level}${o.label}`) === text)
    if (labelled) return { type: 'level', level: labelled.level }
    const n = levelNumber(text)
    if (n) return { type: 'level', level: n }
    const entries = [
      ...f.options.map((o) => ({ key: String(o.level), aliases: [o.label, ...o.aliases] })),
      ...Object.entries(def.level_aliases).map(([lv, aliases]) => ({ key: lv, aliases })),
    ]
    const hits = aliasHits(text, entries)
    // Several tools named ("Excel 跟進銷存系統都有"): the most advanced one in use counts.
    return hits.length > 0 ? { type: 'level', level: Math.max(...hits.map((h) => Number(h.key))) } : { type: 'none' }
  }

  const q = question.q
  const labelled = byLabel(q.options, text)
  if (labelled) return { type: 'option', value: labelled.value }
  if (q.kind === 'choice') {
    const n = /^[1-9]$/.test(text) ? Number(text) : undefined
    if (n && n <= q.options.length) return { type: 'option', value: q.options[n - 1]!.value }
    const hits = aliasHits(text, q.options.map((o) => ({ key: o.value, aliases: [o.label, ...o.aliases] })))
    if (hits.length === 0) return { type: 'none' }
    const longest = Math.max(...hits.map((h) => h.end - h.index))
    const best = new Set(hits.filter((h) => h.end - h.index === longest).map((h) => h.key))
    return best.size === 1 ? { type: 'option', value: [...best][0]! } : { type: 'none' }
  }

  const aliased = aliasHits(text, q.options.map((o) => ({ key: o.value, aliases: o.aliases })))
  if (aliased.length > 0 && new Set(aliased.map((h) => h.key)).size === 1) return { type: 'option', value: aliased[0]!.key }
  if (q.unit === 'people') {
    const bare = parseBareCount(text)
    if (bare) return { type: 'amount', range: bare }
    const people = findAmounts(text).find((a) => a.kind === 'people')
    return people ? { type: 'amount', range: people.range } : { type: 'none' }
  }
  const money = findAmounts(text).find((a) => a.kind === 'money')
  if (money) return { type: 'amount', range: money.range }
  return /\d/.test(text) ? { type: 'needs-unit' } : { type: 'none' }
}
