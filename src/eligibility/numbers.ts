/**
 * Reading amounts the way owners write them: "80人", "八十幾位", "兩百多人", "資本額5,000萬", "1.2億",
 * "未滿200人", "30億以下". A number becomes a closed integer range: an exact figure is [n, n],
 * "80多人" is [80, 89], "不到200人" is [0, 199]. Money is counted in 元, people in 人.
 */

/** A closed range of whole numbers; max null means no upper bound. */
export interface Range {
  min: number
  max: number | null
}

export type AmountKind = 'money' | 'people'

export interface Amount {
  kind: AmountKind
  range: Range
  /** Where the number starts in the text, to tell which subject (capital, revenue…) it belongs to. */
  index: number
  end: number
}

const DIGIT: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 壹: 1, 二: 2, 兩: 2, 貳: 2, 三: 3, 參: 3, 四: 4, 肆: 4, 五: 5, 伍: 5, 六: 6, 陸: 6, 七: 7, 柒: 7, 八: 8, 捌: 8, 九: 9, 玖: 9 }
const SMALL_UNIT: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 千: 1000, 仟: 1000 }

/** "八十" → 80, "兩百五十" → 250, "一百五" → 150 (a trailing digit after 百/千 counts one place lower). */
export function parseChineseInteger(text: string): number | undefined {
  if (!text) return undefined
  let total = 0
  let digit: number | undefined
  let lastUnit = 0
  let zero = false
  for (const ch of text) {
    if (ch === '零' || ch === '〇') {
      zero = true
    } else if (ch in DIGIT) {
      digit = DIGIT[ch]
    } else if (ch in SMALL_UNIT) {
      const unit = SMALL_UNIT[ch]!
      total += (digit ?? 1) * unit
      digit = undefined
      lastUnit = unit
    } else {
      return undefined
    }
  }
  if (digit !== undefined) total += lastUnit >= 100 && !zero ? digit * (lastUnit / 10) : digit
  return total
}

const NUM = String.raw`(\d[\d,，]*(?:\.\d+)?|[零〇一二兩三四五六七八九十百千壹貳參肆伍陸柒捌玖拾佰仟]+)`
const PEOPLE_UNIT = String.raw`(人|名|位|個人|個員工)`
const APPROX = String.raw`(多|幾|餘|出頭)?`
const BEFORE = String.raw`(不到|未滿|少於|低於|小於|不超過|超過|多於|高於|大於|逾)?\s*(?:約|大約|大概|差不多)?\s*`
const AFTER = String.raw`\s*(以下|以內|以上|左右)?`

const MONEY_RE = new RegExp(`${BEFORE}${NUM}\\s*${APPROX}\\s*(億|千萬|百萬|萬|元|塊)(?:${NUM}\\s*(千萬|百萬|萬|千))?\\s*${APPROX}(?:元|塊|台幣|新台幣)?${AFTER}`, 'g')
const PEOPLE_RE = new RegExp(`${BEFORE}${NUM}\\s*${APPROX}\\s*${PEOPLE_UNIT}${AFTER}`, 'g')
/** "5到49人", "10～49人", "50-99位": a range the owner (or a quick-reply button) gives. */
const PEOPLE_SPAN_RE = new RegExp(`${NUM}\\s*(?:人|名|位)?\\s*(?:到|至|~|～|-|－)\\s*${NUM}\\s*${PEOPLE_UNIT}`, 'g')
const MULTIPLIER: Record<string, number> = { 億: 1e8, 千萬: 1e7, 百萬: 1e6, 萬: 1e4, 千: 1e3, 元: 1, 塊: 1 }

function toNumber(raw: string): number | undefined {
  const ascii = raw.replace(/[,，]/g, '')
  if (/^\d+(\.\d+)?$/.test(ascii)) return Number(ascii)
  return parseChineseInteger(raw)
}

/** The place value an approximate "多/幾" covers: 80多 → 10, 200多 → 100, 8多 → 1. */
function approxSpan(n: number): number {
  if (!Number.isInteger(n) || n < 10) return 1
  let span = 1
  while (n % (span * 10) === 0) span *= 10
  return span
}

function rangeOf(value: number, unitSize: number, approx: boolean, before: string | undefined, after: string | undefined, span: number): Range {
  const n = Math.round(value * unitSize)
  if (before && /不到|未滿|少於|低於|小於/.test(before)) return { min: 0, max: n - 1 }
  if (before && /不超過/.test(before)) return { min: 0, max: n }
  if (before && /超過|多於|高於|大於|逾/.test(before)) return { min: n + 1, max: null }
  if (after === '以下' || after === '以內') return { min: 0, max: n }
  if (after === '以上') return { min: n, max: null }
  if (approx) return { min: n, max: n + span * unitSize - 1 }
  return { min: n, max: n }
}

/** Every money and people amount in a text, in order of appearance. */
export function findAmounts(text: string): Amount[] {
  const out: Amount[] = []
  for (const m of text.matchAll(MONEY_RE)) {
    const [whole, before, num, approx1, unit, num2, unit2, approx2, after] = m
    const value = toNumber(num!)
    if (value === undefined || !unit) continue
    let base = value * MULTIPLIER[unit]!
    if (num2 && unit2) base += (toNumber(num2) ?? 0) * MULTIPLIER[unit2]!
    const approx = Boolean(approx1 || approx2)
    const span = approx ? approxSpan(num2 ? (toNumber(num2) ?? 1) : value) * MULTIPLIER[num2 ? unit2! : unit]! : 1
    out.push({ kind: 'money', range: rangeOf(base, 1, approx, before, after, span), index: m.index, end: m.index + whole.length })
  }
  const spans: [number, number][] = []
  for (const m of text.matchAll(PEOPLE_SPAN_RE)) {
    const [whole, low, high] = m
    const [min, max] = [toNumber(low!), toNumber(high!)]
    if (min === undefined || max === undefined || !Number.isInteger(min) || !Number.isInteger(max) || min > max) continue
    spans.push([m.index, m.index + whole.length])
    out.push({ kind: 'people', range: { min, max }, index: m.index, end: m.index + whole.length })
  }
  for (const m of text.matchAll(PEOPLE_RE)) {
    if (spans.some(([from, to]) => m.index >= from && m.index < to)) continue
    const [whole, before, num, approx, , after] = m
    const value = toNumber(num!)
    if (value === undefined || !Number.isInteger(value)) continue
    out.push({ kind: 'people', range: rangeOf(value, 1, Boolean(approx), before, after, approxSpan(value)), index: m.index, end: m.index + whole.length })
  }
  return out.sort((a, b) => a.index - b.index)
}

/** A bare count typed as an answer to "how many employees": "35", "約 35", "三十五". */
export function parseBareCount(text: string): Range | undefined {
  const m = /^(?:約|大約|大概)?\s*(\d[\d,]*|[零〇一二兩三四五六七八九十百千]+)\s*(多|幾)?\s*(?:人|名|位)?$/.exec(text.trim())
  if (!m) return undefined
  const n = toNumber(m[1]!)
  if (n === undefined || !Number.isInteger(n)) return undefined
  return m[2] ? { min: n, max: n + approxSpan(n) - 1 } : { min: n, max: n }
}

/** 3000000000 → "30億元", 50000000 → "5,000萬元", 1234 → "1,234元". */
export function formatMoney(value: number): string {
  if (value >= 1e8 && value % 1e6 === 0) return `${(value / 1e8).toLocaleString('en-US', { maximumFractionDigits: 2 })}億元`
  if (value >= 1e4 && value % 1e2 === 0) return `${(value / 1e4).toLocaleString('en-US', { maximumFractionDigits: 2 })}萬元`
  return `${value.toLocaleString('en-US')}元`
}

export function formatAmount(kind: AmountKind, value: number): string {
  return kind === 'money' ? formatMoney(value) : `${value.toLocaleString('en-US')}人`
}

/** "80人", "80～89人", "200人以上", "1億元以下"… for echoing what was understood. */
export function formatRange(kind: AmountKind, r: Range): string {
  if (r.max === null) return `${formatAmount(kind, r.min)}以上`
  if (r.min === r.max) return formatAmount(kind, r.min)
  if (r.min === 0) return `${formatAmount(kind, r.max)}以下`
  return kind === 'money' ? `${formatMoney(r.min)}～${formatMoney(r.max)}` : `${r.min.toLocaleString('en-US')}～${formatAmount(kind, r.max)}`
}
