import { POLICY, T } from './policy.js'
import { englishExpansions, phraseTermsByWord, synonymsOf, variantForm } from '../knowledge/expand.js'
import type { TermStatistics } from '../knowledge/search.js'
import { normalize, numbersAsWords, ordinalAsNumber, wordAsNumber, words } from '../knowledge/text.js'

/** Words that carry the question's form, not its subject (data: knowledge/answer-policy.json). */
export const STOP_ZH = POLICY.stop_words_zh
const STOP_EN = POLICY.stop_words_en
/** Function characters the segmenter sometimes glues to a word ("輔導會", "主要是"). */
const TRAILING_FUNCTION = /[會是有了的嗎呢到過在要能]$/u

const HAN = /\p{Script=Han}/u
/** Figures, also in words ("十幾個", "三十幾人"): in a question they are usually the asker's own. */
const NUMBERISH = /^(\d[\d.]*|[一二兩三四五六七八九十百千萬幾]+[個人家位名間年]?)$/u
const UNSEEN_WEIGHT = T.unseen_weight

export interface Coverage {
  /** Share of the question's subject weight found in the passages (0–1). */
  ratio: number
  /** Subject words of the question that the passages lack, heaviest first. */
  missing: string[]
}

/** One subject term of a question: found if any of its forms appears. */
interface Term {
  forms: string[]
  weight: number
}

/** A clause that asks something; the others tell the asker's situation ("我在巷口開小店，…"). */
const ASKS = /[?？]|嗎|什麼|甚麼|多少|(?<![\d十百千萬])幾|哪|怎麼|如何|是否|有沒有|能不能|可不可以|要不要|多久|多高|多大|\b(how|what|when|where|which|who|why|whom|is there|are there|can|could|does|do|did)\b/i
/** A clause asking a quantity ("可以補助多少", "能申請幾次", not "幾乎" or "十幾個"). */
export const ASKS_QUANTITY = /多少|(?<![\d十百千萬])幾(?![十百千萬乎])/u
/** Clauses end at these marks; the mark stays with its clause ("…嗎？"). */
export const CLAUSES = /[^，,。．；;！!？?\n]+[，,。．；;！!？?\n]*/gu
/** A clause that says what the asker wants ("想拓展海外通路") is what the question is about, not context. */
const WANTS = /^\s*(我們|我|公司)?(想要|想|希望|打算|計畫要|準備要)/u
/** The asker's situation is context: its words count, but less than those of what is asked. */
const CONTEXT_FACTOR = T.context_factor
/** Leading characters that glue a function word to the next one ("是在", "我想", "那一", "才拿"). */
const LEADING_FUNCTION = /^[是我那這又有才在去來把被給讓每一再也都就還]/u

/**
 * Years a question names ("112年度", "2018年"), each with its other calendar's form (ROC year + 1911):
 * a passage about another year does not answer it.
 */
export function namedYears(question: string): string[][] {
  const years: string[][] = []
  // "112年", "2018 年", "99年" (ROC 80–99: the oldest tables go back to 98年; "10年" is a span of
  // years); in English "in 2025", "April 2024", "FY2022", "ROC year 107" (a bare figure may be an amount).
  for (const m of normalize(question).matchAll(/(?<![\d.])(\d{3,4}|[89]\d)\s*(?=年)|\b(?:in|the|year|fy|since|by|for|of|during|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\s*((?:19|20)\d{2})\b|\broc\s*(?:year\s*)?(\d{2,3})\b/g)) {
    const n = Number(m[1] ?? m[2] ?? m[3])
    const forms = n >= 80 && n <= 140 ? [String(n), String(n + 1911)] : n >= 1990 && n <= 2050 ? [String(n), String(n - 1911)] : undefined
    if (forms && !years.some((y) => y[0] === forms[0])) years.push(forms)
  }
  return years
}

/** The date a source was published ("115年2月12日的資料", "115年2月12日簡報"). */
const SOURCE_DATE = /\d{2,4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:的|之)?\s*(?:簡報|資料|報告|預算書|發布|公布)/gu

/** Two years joined into a period ("115-118年度", "98~107年", "110至113年", "從98年做到107年"). */
const YEAR_SPAN = /\d{2,4}\s*年?度?\s*(?:-|–|~|～|至|到|做到|一直到)\s*\d{2,4}(?=\s*年)/gu
/** A period in a question, also without 年 ("ROC 98-107", "2009 to 2018"), or only its end ("全程（到114年8月）"). */
const ASKED_SPAN = /(?<!\d)\d{2,4}\s*(?:-|–|~|～|至|到|\bto\b)\s*\d{2,4}(?!\d)|(?:到|至|迄|截至|直到)\s*\d{2,4}(?=\s*年)/giu
/** A date asked for ("哪一天", "什麼時候", "幾月"). */
const ASKS_DATE = /哪一?天|什麼時候|甚麼時候|何時|幾月|幾號|哪一年|\bwhen\b/iu
/** A day ("115年2月12日"). */
const FULL_DATE = /\d{2,4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日/gu

/** The named year that none of the passages mentions, if any. */
export function missingYear(question: string, passages: string[], now?: Date): string | undefined {
  // "以今天（2026年11月）來看" dates the reading, and "依經濟部115年2月12日的資料" the source, not the facts.
  // A period ("115-118年度", "從98年做到107年") is no one of its years: its total or plan answers none of them.
  // Nor is the day a thing was written ("115年2月12日的《…》"), unless a date is what is asked.
  let text = passages.join('\n').replace(/今天\s*[（(][^）)]*[）)]/g, '').replace(SOURCE_DATE, '').replace(YEAR_SPAN, ' ')
  if (!ASKS_DATE.test(question)) text = text.replace(FULL_DATE, ' ')
  const hay = normalize(text)
  const asked = question.replace(YEAR_SPAN, ' ').replace(ASKED_SPAN, ' ')
  // A year is a figure of its own: "109" inside 1,096 (1096 once normalised) or 2,109 names no year.
  // A three-digit ROC year must be written as a year: "執行數 109" counts cases.
  // A year glued to the words after it names a report or an event ("2020台灣ICT市場十大趨勢預測"), not its facts.
  const mentions = (year: string) => (year.length >= 4 ? new RegExp(`(?<![\\d.])${year}(?!\\d|[^\\P{Script=Han}年至到度與及和、])`, 'u') : writtenAsYear(year)).test(hay)
  return [...namedYears(asked), ...(now ? relativeYears(asked, now) : [])].find((forms) => !forms.some(mentions))?.[0]
}

/**
 * A three-digit ROC year as passages write one: with 年 (109年), in a date (109/05/01), in a list or a
 * period of years (108、109年, 109-112), after 年度 or 民國, or as a table row's first cell (| 109 |).
 */
function writtenAsYear(year: string): RegExp {
  return new RegExp(
    [
      `(?<![\\d.])${year}\\s*(年|/\\d|([、與及和跟,]\\s*\\d{2,3}\\s*)+年|[-~–至到]\\s*\\d{2,3}(?!\\d))`,
      `\\d{2,3}\\s*[-~–至到]\\s*${year}(?!\\d)`,
      `(年度|民國|roc|year)\\s*${year}(?!\\d)`,
      `(^|\\n)\\s*\\|?\\s*${year}\\s*\\|`,
    ].join('|'),
    'u',
  )
}

/** The clauses of a question that ask something, without the asker's story ("我們公司在台中，…"). */
function askingClauses(question: string): string {
  return (question.match(CLAUSES) ?? [question]).filter((c) => ASKS.test(c)).join(' ')
}

/** Years said relative to today, and how far from it. */
const RELATIVE_YEARS: [RegExp, number][] = [
  [/今年/u, 0],
  [/去年/u, -1],
  [/前年/u, -2],
  [/明年/u, 1],
]

/**
 * The years an asking clause names relative to today ("小巨人獎今年報名截止是哪天？" → 2026 / 115),
 * from the clock; the asker's own story ("我們今年營收18億，…") is not about the facts' year.
 */
export function relativeYears(question: string, now: Date): string[][] {
  // The year in Taiwan, whatever the server's zone.
  const year = new Date(now.getTime() + 8 * 3600_000).getUTCFullYear()
  // A question that names a year ("111年預計幾家？這個計畫今年編多少？") speaks in the documents' years.
  if (namedYears(question).length > 0) return []
  // Only in a clause after a figure, a date or a list of that year's facts: "今年還能再申請嗎？三年內最多幾案？"
  // asks about a rule, whatever the next clause asks.
  const asking = (question.match(CLAUSES) ?? [question]).filter((c) => ASKS.test(c) && /幾|多少|哪一?天|哪些|什麼時候|何時|截止/u.test(c))
  return RELATIVE_YEARS.filter(([word]) => asking.some((c) => word.test(c))).map(([, offset]) => [String(year + offset), String(year + offset - 1911)])
}

const PLACES = [...POLICY.places].map(normalize)
const ASKS_COUNT = answerType('count')

/**
 * The county or city a count question narrows to ("114年在台南輔導了幾家？") that none of the
 * passages names (in either writing of 台/臺): their counts are someone else's.
 */
export function missingPlace(question: string, passages: string[]): string | undefined {
  if (!ASKS_COUNT?.asks.test(question)) return undefined
  const hay = normalize(passages.join('\n'))
  // The asker's own whereabouts ("我們公司在台中，…") is context, not what is counted.
  const q = normalize(askingClauses(question))
  return PLACES.find((p) => (q.includes(p) || q.includes(variantForm(p) ?? p)) && !hay.includes(p) && !hay.includes(variantForm(p) ?? p))
}

/** Two things set against each other in a question ("正本還是影本", "線上還是紙本"). */
const CHOICE = /(\p{Script=Han}{2})還是(\p{Script=Han}{2})/gu
const DIRECTION = /^(變|更|比較|增|減|升|降|提高|上升|下降|高|低|多|少)/u

/**
 * The choice a question asks between two things ("要附正本還是影本？") when the lines name neither:
 * lines on the topic that never name the options leave the choice open. Options that are form words
 * or verbs ("還是可以申請嗎": still) are no choice, nor a direction ("變高還是變低"), which the figures
 * answer.
 */
export function missingChoice(question: string, lines: string[]): string | undefined {
  const hay = normalize(lines.join('\n'))
  for (const m of normalize(askingClauses(question)).matchAll(CHOICE)) {
    const options = [m[1]!, m[2]!]
    if (options.some((o) => STOP_ZH.has(o) || LEADING_FUNCTION.test(o) || DIRECTION.test(o))) continue
    if (!options.flatMap((o) => [o, ...synonymsOf(o).map(normalize)]).some((f) => hay.includes(f))) return m[0]
  }
  return undefined
}

/**
 * A question after what actually happened ("後來實際發出幾張？") whose answer's figures are all
 * targets or plans ("預計發出6,400張"): the knowledge base has the plan, not the outcome.
 */
export function onlyPlannedFigures(question: string, lead: string, section = ''): boolean {
  const { asks, planned, actual } = POLICY.planned_figures
  // A question about the target itself ("目標原本設多少？") is answered by it.
  if (!asks.test(question) || planned.test(question)) return false
  // A figure ("後來發了幾張"), a date ("最後是哪天開幕的") or whether it happened ("後來真的有開嗎").
  const figure = /多少|幾/u.test(question)
  const date = !figure && (ASKS_DATE.test(question) || ASKS_HAPPENED.test(question))
  if (!figure && !date) return false
  // A section headed as a plan ("全程預期效益", "111年度預算與目標") holds plans, whatever its lines say ("完成200篇").
  // Expected results (預期成果, 預計效益) are plans too.
  if (planned.test(section) && !actual.test(section.replace(/(預期|預計|預估|預定)(成果|效益)/gu, ''))) return true
  // By line, read up to its first figure (or date, unless a figure is asked): what a line opens with ("目標：110年6,400家次；…",
  // "從114年1月14日啟動…共輔導24萬家", "預定110年10月開幕") says whether its facts are planned or done.
  // A line may set a target and then report it done ("目標203,500家、完成247,830家"): a later clause that opens
  // with what was done makes the line an outcome.
  const opening = (text: string) => {
    const at = text.search(date ? /\d/u : FIGURE)
    return at >= 0 ? text.slice(0, at) : undefined
  }
  const lines = lead
    .replace(/〔\d+〕/gu, '')
    .split('\n')
    .filter((line) => opening(line) !== undefined)
  return lines.length > 0 && lines.every((line) => {
    const first = opening(line)!
    const later = line.split(/[、，,；;]/u).slice(1).map(opening).filter((o) => o !== undefined)
    return planned.test(first) && !actual.test(first) && !later.some((o) => actual.test(o.trim().slice(0, 4)))
  })
}

/** Whether something came about as planned ("後來真的有開嗎", "最後有沒有辦"). */
const ASKS_HAPPENED = /(後來|最後|最終|真的|實際)[^，,。？?]{0,12}(嗎|有沒有|了沒)/u
/** A figure, not a date ("114年1月", the first year of "110至114年") nor a name ("5G"). */
const FIGURE = /(?<![\d,.])\d[\d,.]*(?![\d,.]|\s*[年月日A-Za-z]|\s*(?:至|到|-|–|~|～)\s*\d{2,4}\s*年)/u

/** Words that pick out one or each of a kind ("哪一項", "每一類"), and the counters that name no kind. */
const DETERMINERS = new Set('哪 哪一 一 各 每 每一 這 這一 那 那一'.split(' '))
const GENERIC_COUNTERS = new Set('項 種 類 樣 款'.split(' '))

/** The words of a clause that may name its subject: stop words, counters and glued particles left out. */
function subjectWords(clause: string): string[] {
  const out: string[] = []
  let previous = ''
  for (let token of words(numbersAsWords(normalize(clause.replace(POLICY.reported_speech.pattern, ' ').replace(POLICY.asides.pattern, ' '))))) {
    // "哪一項", "每一類": a generic counter after a determiner says how things are counted, not what
    // they are ("哪一區", "每一級" name them).
    const counted = DETERMINERS.has(previous) && GENERIC_COUNTERS.has(token)
    previous = token
    if (counted) continue
    if (HAN.test(token) && Array.from(token).length > 2 && TRAILING_FUNCTION.test(token)) token = token.slice(0, -1)
    // A stop word with a particle glued on ("做的", "用了") is still a stop word.
    else if (HAN.test(token) && Array.from(token).length === 2 && /[的了嗎呢吧過]$/u.test(token) && STOP_ZH.has(token.slice(0, -1))) token = token.slice(0, -1)
    // A verb with 了 ("收了", "拿了") is the verb: the aspect is no part of the subject.
    else if (HAN.test(token) && Array.from(token).length === 2 && token.endsWith('了')) token = token.slice(0, -1)
    // "幾級", "幾點", "幾成": the unit of the figure asked for, not a subject.
    if (STOP_ZH.has(token) || STOP_EN.has(token) || /^幾\p{Script=Han}$/u.test(token)) continue
    if (!HAN.test(token) && token.length < 2) continue
    out.push(token)
  }
  return out
}

/** The question's subject terms with weights: rarer words weigh more; figures and single characters little. */
export function subjectTerms(question: string, stats: TermStatistics): Term[] {
  const weightOf = (token: string) => stats.idf.get(token) ?? stats.unseenIdf * UNSEEN_WEIGHT
  const years = new Map(namedYears(question).map((forms) => [forms[0]!, forms]))
  const inPhrases = phraseTermsByWord(question)
  // A Han character carries about as much as three Latin letters.
  const chineseQuestion = (question.match(/\p{Script=Han}/gu) ?? []).length * 3 >= (question.match(/[A-Za-z]/g) ?? []).length
  /** A word's forms and weight, before the clause it stands in is taken into account. */
  const termOf = (token: string): Term => {
    if (/^[a-z]/.test(token)) {
      // An English word counts as found when it or its Chinese equivalent appears.
      const forms = [token, ...englishExpansions(token).map((z) => normalize(z)), ...(inPhrases.get(token) ?? []).map((z) => normalize(z))]
      // In a Chinese question a Latin word is a name (a product, a brand, a scheme): one the
      // knowledge base never mentions is what the question turns on, not a paraphrase.
      const name = chineseQuestion && forms.length === 1 && !stats.idf.has(token)
      return { forms, weight: name ? stats.unseenIdf : Math.max(...forms.map(weightOf)) }
    }
    // A named year is part of what is asked, unlike the asker's own figures.
    const year = years.get(token)
    if (year) return { forms: year, weight: stats.unseenIdf * UNSEEN_WEIGHT }
    const chars = Array.from(token).length
    const single = HAN.test(token) && chars === 1
    // A two-character word that starts with a function character is usually that character glued
    // to a verb ("是用", "才拿", "那是"): it weighs like a lone character.
    const glued = HAN.test(token) && chars === 2 && LEADING_FUNCTION.test(token) && synonymsOf(token).length === 0
    // Figures in a question are usually the asker's own ("我們 80 人"): they weigh little. A lone
    // character is mostly a verb or particle the segmenter left over ("想", "開", "跑").
    const factor = NUMBERISH.test(token) ? 0.2 : single || glued ? 0.15 : 1
    // An everyday word counts as found when the documents' formal word for it appears.
    // A count is found written either way ("十年" / "10年").
    // So is an ordinal ("第一" / "第1級").
    const digits = wordAsNumber(token) ?? ordinalAsNumber(token)
    const forms = [token, ...synonymsOf(token).map((z) => normalize(z)), ...(digits ? [digits] : [])]
    return { forms, weight: Math.max(...forms.map(weightOf)) * factor }
  }

  const terms = new Map<string, Term>()
  const weights = new Map<string, number>()
  const askedTokens = new Set<string>()
  const clauses = question.match(CLAUSES) ?? [question]
  const asking = clauses.some((c) => ASKS.test(c))
  for (const [i, clause] of clauses.entries()) {
    // "聽說政府有找新創幫企業解題的作法，這是怎麼運作的？": the asking clause points back at the clause
    // before it, which names what is asked (the asker's own story excepted).
    const pointedAt = ASKS_BACK.test(clauses[i + 1] ?? '') && !FIRST_PERSON.test(clause)
    const clauseFactor = asking && !ASKS.test(clause) && !WANTS.test(clause) && !pointedAt ? CONTEXT_FACTOR : 1
    // A period ("98到107年") is one term, found however a passage joins its years ("98~107年"); its
    // end year alone would favour passages about that one year.
    for (const span of yearSpans(clause)) {
      terms.set(span[0]!, { forms: span, weight: stats.unseenIdf * UNSEEN_WEIGHT })
      weights.set(span[0]!, stats.unseenIdf * UNSEEN_WEIGHT * clauseFactor)
      if (clauseFactor === 1) askedTokens.add(span[0]!)
    }
    for (const token of subjectWords(withoutYearSpans(clause))) {
      const term = terms.get(token) ?? termOf(token)
      terms.set(token, term)
      // A word in both the asker's situation and the question weighs as in the question.
      weights.set(token, Math.max(weights.get(token) ?? 0, term.weight * clauseFactor))
      if (clauseFactor === 1) askedTokens.add(token)
    }
  }
  // However long the asker's own story ("我在巷口開小店，員工十幾個。…"), it never outweighs half of
  // what is asked. A clause stating a topic ("社發計畫說要…，這是什麼？") is no story: it keeps its weight.
  const story = asking && FIRST_PERSON.test(clauses[0] ?? '')
  const storyWeight = story ? [...weights].filter(([t]) => !askedTokens.has(t)).reduce((a, [, w]) => a + w, 0) : 0
  const askedWeight = [...weights].filter(([t]) => askedTokens.has(t)).reduce((a, [, w]) => a + w, 0)
  // When the asking clause names nothing ("…導入行動支付，成效怎麼樣？"), the subject is in the clauses before it.
  const scale = askedWeight > 0 && storyWeight > askedWeight * STORY_SHARE ? (askedWeight * STORY_SHARE) / storyWeight : 1
  return [...terms].map(([token, { forms }]) => ({ forms, weight: weights.get(token)! * (story && !askedTokens.has(token) ? scale : 1) }))
}
/** Two years joined into a period in a question: "98到107年", "98~107年度", "2009-2018", "from 2009 to 2018". */
const SPAN_IN_CLAUSE = /(?<!\d)(\d{2,4})\s*年?度?\s*(?:-|–|~|～|至|到|\bto\b)\s*(\d{2,4})(?!\d)/giu

/** The ROC years of a period, if both figures are plausible years and the second is later. */
function spanYears(m: RegExpMatchArray): [number, number] | undefined {
  const roc = (n: number) => (n >= 1990 && n <= 2050 ? n - 1911 : n >= 80 && n <= 140 ? n : undefined)
  const [x, y] = [roc(Number(m[1])), roc(Number(m[2]))]
  return x !== undefined && y !== undefined && y > x ? [x, y] : undefined
}

/** The written forms of each period a clause names, in ROC and Western years ("98~107", "2009-2018"…). */
export function yearSpans(clause: string): string[][] {
  return [...normalize(clause).matchAll(SPAN_IN_CLAUSE)].flatMap((m) => {
    const years = spanYears(m)
    if (!years) return []
    const [x, y] = years
    return [[[x, y], [x + 1911, y + 1911]].flatMap(([p, q]) => ['~', '-', '–', '至', '到'].map((j) => `${p}${j}${q}`))]
  })
}

/** The clause with its periods taken out (other ranges, such as "20到50人", stay). */
function withoutYearSpans(clause: string): string {
  return normalize(clause).replace(SPAN_IN_CLAUSE, (...args) => (spanYears(args as unknown as RegExpMatchArray) ? ' ' : args[0]))
}

/** An asking clause that opens by pointing back at the clause before it ("這是怎麼運作的？", "那是什麼？"). */
const ASKS_BACK = /^\s*(這|那|它)(是|個|種|要|該|會|能|可以)?(怎麼|如何|什麼|甚麼|哪|在做|做什麼|多少|有沒有)/u

/** A story about the asker starts by speaking of them. */
const FIRST_PERSON = /我|咱|敝|本公司|本店|小店/u
/** The most the asker's situation may weigh, as a share of what the question asks. */
const STORY_SHARE = T.story_share

/** How much of what the question is about appears in the given passages. */
export function coverageOf(question: string, passages: string[], stats: TermStatistics): Coverage {
  const hay = normalize(passages.join('\n'))
  let total = 0
  let found = 0
  const missing: [string, number][] = []
  for (const term of subjectTerms(question, stats)) {
    total += term.weight
    if (term.forms.some((f) => hay.includes(f))) found += term.weight
    else missing.push([term.forms[0]!, term.weight])
  }
  missing.sort((a, b) => b[1] - a[1])
  return { ratio: total === 0 ? 0 : found / total, missing: missing.map(([t]) => t) }
}

/**
 * Kinds of information a question can ask for that a passage either holds or not (data:
 * knowledge/answer-policy.json). When the question asks for one (a web address, an amount…) and no
 * passage has it, the knowledge base does not answer the question, however well the topic matches.
 */
const ANSWER_TYPES = POLICY.answer_types
function answerType(name: string) {
  return POLICY.answer_types.find((t) => t.name === name)
}

/** Whether the text asks something at all ("請把…貼給我" is a request, not a question). */
export function asksSomething(text: string): boolean {
  return ASKS.test(text)
}

/** Whether the question asks for one of the kinds of fact above (an amount, a date, a share…). */
export function asksAnswerType(question: string): boolean {
  return ANSWER_TYPES.some((t) => t.asks.test(question))
}

/** The kind of information the question asks for that none of the passages contains, if any. */
export function missingAnswerType(question: string, passages: string[]): string | undefined {
  const text = passages.join('\n')
  return ANSWER_TYPES.find((t) => t.asks.test(question) && !t.needs.test(text))?.name
}

/** Every kind of fact the question asks for that the passages lack. */
export function missingAnswerTypes(question: string, passages: string[]): string[] {
  const text = passages.join('\n')
  return ANSWER_TYPES.filter((t) => t.asks.test(question) && !t.needs.test(text)).map((t) => t.name)
}

/** Whether the question asks for this kind of fact and the text holds it. */
export function answersType(question: string, name: string, text: string): boolean {
  const type = ANSWER_TYPES.find((t) => t.name === name)
  return type !== undefined && type.asks.test(question) && type.needs.test(text)
}

/** "Which aspects / parts / items": the question names no particular thing to look for. */
const GENERIC_FOCUS = new Set('面向 方面 部分 項目 內容 地方 重點 方式 類 種 樣 點'.split(' '))

/**
 * The thing a question asks for, when it says so: the word after 哪個 / 什麼 / 多少 / 幾
 * ("該找哪個機關" → 機關). Sentences holding it answer the question rather than restate its topic.
 */
export function questionFocus(question: string): string | undefined {
  const m = /(?:哪[兩二三四五六七八九十幾][個項種類家位]?|哪個|哪些|哪一個|哪一種|哪一類|哪一家|哪一位|哪一|哪種|哪家|哪位|哪類|什麼|甚麼|多少|幾)(\p{Script=Han}{1,4})/u.exec(question)
  if (!m) return undefined
  const word = words(m[1]!)[0]
  return word && !STOP_ZH.has(word) && !GENERIC_FOCUS.has(word) ? word : undefined
}

/** Words between a measured thing and 多少 / 幾 that are not part of it ("租金是多少", "通過了幾案"). */
const BEFORE_HOW_MANY = /(?:了|是|有|要|約|大約|大概|總共|共|一共|可以|可|能|到底|(?<![預計結決估概核清試換打划總])算|為|差不多)*(?:多少|(?<![好哪])幾)/u
/** Counters and units after 多少 / 幾: the thing measured is named before them. */
const COUNTERS = /^[家個案人件次位名元萬億千百年月天週成倍級類項%％]/u
/** A verb with its result ("幫到", "匯入", "做完"): an action, not the thing measured. */
const RESULTATIVE = /[到完入出掉成好]$/u
/** Words before 多少 that name no particular thing ("最多可以補助多少", "一共多少", "政府給多少"): nothing to check. */
const UNMEASURED = new Set('最多 最高 最少 至少 大概 總共 一共 平均 每年 每案 每家 一年 一個 補助 申請 拿 領 給 花 付 出 借 貸 用 編 撥 是 有 要 能 政府'.split(' '))

/**
 * The thing whose figure the question asks for, named just before 多少 / 幾 ("一個月租金多少" →
 * 租金, "去年通過了幾案" → 通過). A passage that gives other figures but never names this thing
 * answers another question, however much of the topic it shares.
 */
export function measuredThing(question: string): string | undefined {
  for (const clause of normalize(question).match(CLAUSES) ?? []) {
    const m = BEFORE_HOW_MANY.exec(clause)
    if (!m || m.index <= 0) continue
    const at = m.index
    // "多少經費", "多少比例": the thing follows; a counter ("多少家") leaves it before.
    const following = words(clause.slice(at + m[0].length))
    const after = following[0]
    // "幾家次的溫室氣體盤查": a counter joined by 的 to what is counted names it after (the segmenter
    // splits some words into characters: "節能" → 節 + 能).
    const of = following.indexOf('的')
    if (after && COUNTERS.test(after) && (of === 1 || of === 2)) {
      const [first, second] = [following[of + 1], following[of + 2]]
      const counted = first && second && Array.from(first).length === 1 && Array.from(second).length === 1 && !STOP_ZH.has(first) ? first + second : first
      if (counted && HAN.test(counted) && Array.from(counted).length >= 2 && !LEADING_FUNCTION.test(counted) && !STOP_ZH.has(counted)) return counted
    }
    if (after && HAN.test(after) && Array.from(after).length >= 2 && !COUNTERS.test(after) && !LEADING_FUNCTION.test(after) && !/^[才的嗎呢啊]/u.test(after) && !STOP_ZH.has(after)) return after
    const before = words(clause.slice(0, at))
    // Back over words that name nothing ("點數最高多少" → 點數), at most two of them.
    for (let i = before.length - 1, skipped = 0; i >= 0 && skipped <= 2; i--, skipped++) {
      let word = before[i]!
      // The segmenter splits some words into characters ("營收" → 營 + 收).
      const single = (w: string) => Array.from(w).length === 1 && !UNMEASURED.has(w) && !STOP_ZH.has(w)
      if (single(word) && i > 0 && single(before[i - 1]!)) word = before[--i]! + word
      if (!HAN.test(word) || STOP_ZH.has(word) || UNMEASURED.has(word) || Array.from(word).length < 2) continue
      if (RESULTATIVE.test(word)) break
      if (NUMBERISH.test(word)) break
      return word
    }
  }
  return undefined
}

/**
 * The measured thing of the question (see above) when the knowledge base never names it (nor a
 * synonym) and so neither do the passages: whatever figures they give, they are not its figure.
 * Only words the index lacks count; without parts of speech, a word it has may be a verb
 * ("提供了多少家次") whose figure the passage does give.
 */
export function missingMeasuredThing(question: string, passages: string[], stats: TermStatistics): string | undefined {
  const thing = measuredThing(question)
  if (!thing) return undefined
  const forms = [thing, ...synonymsOf(thing).map((s) => normalize(s))]
  if (forms.some((f) => stats.idf.has(f))) return undefined
  const hay = normalize(passages.join('\n'))
  return forms.some((f) => hay.includes(f)) ? undefined : thing
}

const ASKS_SUBSIDY = POLICY.subsidised_thing.asks

/**
 * In a question whether, or how much, something is subsidised ("參加國外展覽的攤位費，政府補助多少？"),
 * the things it may be asking a subsidy for, each with its forms (synonyms, Chinese for English).
 * One that the knowledge base never names is a thing no programme here pays for (the caller looks
 * them up, for questions that name no programme). Names and nouns only: a two-character word
 * opening with a function character ("想在", "才拿") or a verb with its result ("升到") is glue the
 * segmenter left, not a thing.
 */
export function subsidisedThings(question: string): string[][] {
  if (!ASKS_SUBSIDY.test(question)) return []
  const things = new Map<string, string[]>()
  // In English, the thing is what the subsidy is "for" ("a subsidy for hiring engineers"); other
  // words of the question ("bonus", "selection") may be paraphrases of the documents' Chinese.
  const english = !HAN.test(question)
  const scope = english ? /\b(?:subsid(?:y|ies)|grants?|funding)\s+(?:for|to)\b(.*)/iu.exec(question)?.[1] : question
  if (scope === undefined) return []
  for (const clause of scope.match(CLAUSES) ?? [scope]) {
    for (const word of subjectWords(clause)) {
      const latin = /^[a-z]{3,}$/.test(word)
      const noun = HAN.test(word) && Array.from(word).length >= 2 && !NUMBERISH.test(word) && !LEADING_FUNCTION.test(word) && !/^[想更很太]/u.test(word) && !RESULTATIVE.test(word)
      if (noun || latin) things.set(word, [word, ...synonymsOf(word).map((s) => normalize(s)), ...englishExpansions(word).map((s) => normalize(s))])
    }
  }
  return [...things.values()]
}
