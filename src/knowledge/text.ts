/**
 * Text normalisation and tokenisation shared by ingestion, search and the eval. Intl.Segmenter
 * segments Chinese into words offline (Node's ICU and Workers both have it); CJK bigrams add
 * recall for words the dictionary splits differently.
 */

/** Full-width → half-width (NFKC), digit separators removed ("1,785" → "1785"), lower case. */
export function normalize(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/(\d)[,，](?=\d{3}(?!\d))/g, '$1')
    .toLowerCase()
}

const segmenter = new Intl.Segmenter('zh-TW', { granularity: 'word' })
const HAN = /\p{Script=Han}/u
const WORDLIKE = /[\p{L}\p{N}]/u

/** Words of a text as the segmenter sees them (Han words of up to four characters, latin words, numbers). */
export function words(text: string): string[] {
  return wordsOfNormalized(normalize(text))
}

function wordsOfNormalized(norm: string): string[] {
  const tokens: string[] = []
  for (const { segment, isWordLike } of segmenter.segment(norm)) {
    if (!isWordLike && !WORDLIKE.test(segment)) continue
    const word = segment.trim()
    if (!word) continue
    // Han words longer than four characters are dictionary accidents; their bigrams cover them.
    if (!HAN.test(word) || Array.from(word).length <= 4) tokens.push(word)
  }
  // A lone letter glued to a Han character is one word ("E化"); the segmenter splits it in two.
  for (const m of norm.matchAll(/(?<![a-z0-9])[a-z]\p{Script=Han}/gu)) tokens.push(m[0])
  return tokens
}

/** Search tokens of a text: segmenter words, plus bigrams inside runs of Han characters. */
export function tokenize(text: string): string[] {
  const norm = normalize(text)
  const tokens = wordsOfNormalized(norm)
  // Bigrams across segmenter word boundaries inside a Han run ("雲市集" may split as 雲 + 市集).
  const runs = norm.match(/\p{Script=Han}{2,}/gu) ?? []
  for (const run of runs) {
    const chars = Array.from(run)
    for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i]! + chars[i + 1]!)
  }
  return tokens
}

/** Distinct tokens, for the tsvector and for document frequencies. */
export function distinctTokens(text: string): string[] {
  return [...new Set(tokenize(text))]
}

const DIGIT_WORDS = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九']
/** Counters after which people write a small number either way ("10年" / "十年", "3家" / "三家"). */
const COUNTER = '年個家案次倍成級類項天週月名'

/** 1–99 in Chinese numerals, as written before a counter ("十年", "二十三家"). */
function numberWord(n: number): string {
  if (n < 10) return DIGIT_WORDS[n]!
  const tens = Math.floor(n / 10)
  return `${tens === 1 ? '' : DIGIT_WORDS[tens]}十${DIGIT_WORDS[n % 10]}`
}

/** "98年", "99年": ROC years before 100, which the oldest tables hold, not spans of years. */
const ROC_TWO_DIGIT_YEAR = /^[89]\d$/u

/**
 * A small number before a counter written in Chinese numerals ("這10年" → "這十年"), so a question
 * typed with digits meets documents and phrasings that spell the number out. Years (three or four
 * digits, or ROC 80–99 before 年) and figures with decimals are left alone.
 */
export function numbersAsWords(text: string): string {
  return text.replace(new RegExp(`(?<![\\d.,])(\\d{1,2})(?=([${COUNTER}]))`, 'gu'), (m, d: string, counter: string) =>
    Number(d) === 0 || (counter === '年' && ROC_TWO_DIGIT_YEAR.test(d)) ? m : numberWord(Number(d)),
  )
}

/** The digit form of an ordinal in Chinese numerals ("第一" → "第1", "第十二" → "第12"), or undefined. */
export function ordinalAsNumber(word: string): string | undefined {
  const m = /^第([一二兩三四五六七八九十]{1,3})$/u.exec(word)
  const count = m ? wordAsNumber(`${m[1]}級`) : undefined
  return count ? `第${count.replace(/級$/u, '')}` : undefined
}

/** The digit form of a Chinese-numeral count ("十年" → "10年"), or undefined for any other word. */
export function wordAsNumber(word: string): string | undefined {
  const m = new RegExp(`^([一二兩三四五六七八九]?)(十?)([一二三四五六七八九]?)([${COUNTER}])$`, 'u').exec(word)
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined
  const digit = (c: string) => (c === '兩' ? 2 : DIGIT_WORDS.indexOf(c))
  const n = m[2] ? (m[1] ? digit(m[1]) : 1) * 10 + (m[3] ? digit(m[3]) : 0) : m[3] ? -1 : digit(m[1]!)
  return n > 0 ? `${n}${m[4]}` : undefined
}
