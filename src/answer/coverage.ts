import { englishExpansions, synonymsOf } from '../knowledge/expand.js'
import type { TermStatistics } from '../knowledge/search.js'
import { normalize, words } from '../knowledge/text.js'

/** Words that carry the question's form (asking, quantity, time, pronouns), not its subject. */
const STOP_ZH = new Set(
  (
    '什麼 甚麼 什麼時候 多少 多少錢 多久 怎麼 怎麼樣 怎樣 如何 為何 為什麼 哪些 哪個 哪種 哪一 哪一組 哪裡 哪家 哪 誰 嗎 呢 吧 啊 喔 哦 的 了 是 有 在 和 與 及 或 也 都 就 還 要 會 能 可 ' +
    '可以 可不可以 能不能 是否 有沒有 沒有 請問 想問 問 請 我 我們 你 你們 您 他 她 它 這 那 這個 那個 這些 那些 一下 幾 幾個 幾位 幾件 幾家 幾張 幾門 大概 大約 約 目前 現在 聽說 ' +
    '一定 需要 之前 已經 如果 那麼 怎麼辦 知道 告訴 說 講 給 讓 被 對 向 從 到 跟 把 又 再 但 而 或者 以及 關於 有關 相關 一個 上面 裡面 裡 中 上 下 多 少 最 更 很 比較 比 ' +
    '個 件 家 年 月 日 人 位 張 門 總共 一共 合計 全部 主要 主要是 分別 各 每 做 弄 搞 拿 用 還是 一起 同時 意思 是指 指 叫做 稱為 效果 成效 結果 情況 狀況 如何呢 ' +
    '要問 想問 找 問問 怎麼做 怎麼申請 要怎麼 該 應該 得 能夠 可能 會不會 是不是 有多 多高 多大 高 大 事 事情 東西 部分 方面 一些 有些 哪方面 時候 時間 期間 預計 大概會 還可以 還能 ' +
    // Everyday words of spoken questions: the asker's manner, not the subject.
    '到底 究竟 一直 其實 真的 好像 感覺 覺得 聽 看 看看 了解 清楚 想知道 想了解 麻煩 謝謝 請教 幫 幫忙 幫我 是誰 哪位 幾號 會是 打算 剩下 細節 ' +
    '大多 大部分 這種 這類 那種 那類 這樣 那樣 這麼 自己 每個 分成 加起來 還很 還在 還沒 才 一 馬上 不是 的是 實際 實際上 達到 做到 整個 今年 去年 明年 過 話 想 ' +
    '做什麼 得到 完全 比起來 相比 相較 比較起來 我是 做了 當 直接 可是 不過 但是 所以 因為 然後 之後 以後 後來 另外 不要 要不要 需不需要 想去 開始 一家 能否 可否 是否能 怎麼會 這邊 那邊 差不多 左右 算 算是 呢 ' +
    // Halves of "會不會", "有沒有"… that the segmenter leaves, and more spoken fillers.
    '會不 有沒 是不 要不 能不 可不 也可以 都可以 都能 正在 還算 說的 好嗎 他們 她們 它們 兩邊 好幾 共有 做出 是有 想用 那塊 這塊 一塊'
  ).split(' '),
)
const STOP_EN = new Set(
  'a an the is are was were be been do does did i we you my our your it its this that these those there any some how what which who whom when where why can could would should will shall may might must to of in on for at by with from and or not no yes if then than as about into over per each every me us they them have has had need get go up out so just also like much many more most item'.split(' '),
)
/** Function characters the segmenter sometimes glues to a word ("輔導會", "主要是"). */
const TRAILING_FUNCTION = /[會是有了的嗎呢到過在要能]$/u

const HAN = /\p{Script=Han}/u
/** Figures, also in words ("十幾個", "三十幾人"): in a question they are usually the asker's own. */
const NUMBERISH = /^(\d[\d.]*|[一二兩三四五六七八九十百千萬幾]+[個人家位名間年]?)$/u
/**
 * A word the knowledge base never uses may be a colloquial paraphrase (老闆 for 負責人) or a concept
 * it lacks: it counts, but less than a known word that the passage misses.
 */
const UNSEEN_WEIGHT = 0.5

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
/** Clauses end at these marks; the mark stays with its clause ("…嗎？"). */
const CLAUSES = /[^，,。．；;！!？?\n]+[，,。．；;！!？?\n]*/gu
/** A clause that says what the asker wants ("想拓展海外通路") is what the question is about, not context. */
const WANTS = /^\s*(我們|我|公司)?(想要|想|希望|打算|計畫要|準備要)/u
/** The asker's situation is context: its words count, but less than those of what is asked. */
const CONTEXT_FACTOR = 0.35
/** Leading characters that glue a function word to the next one ("是在", "我想", "那一", "才拿"). */
const LEADING_FUNCTION = /^[是我那這又有才在去來把被給讓每一再也都就還]/u

/**
 * Years a question names ("112年度", "2018年"), each with its other calendar's form (ROC year + 1911):
 * a passage about another year does not answer it.
 */
export function namedYears(question: string): string[][] {
  const years: string[][] = []
  for (const m of normalize(question).matchAll(/(?<!\d)(\d{3,4})\s*(?=年)/g)) {
    const n = Number(m[1])
    const forms = n >= 80 && n <= 140 ? [String(n), String(n + 1911)] : n >= 1990 && n <= 2050 ? [String(n), String(n - 1911)] : undefined
    if (forms && !years.some((y) => y[0] === forms[0])) years.push(forms)
  }
  return years
}

/** The named year that none of the passages mentions, if any. */
export function missingYear(question: string, passages: string[]): string | undefined {
  // "以今天（2026年11月）來看" dates the reading, not the facts.
  const hay = normalize(passages.join('\n').replace(/今天\s*[（(][^）)]*[）)]/g, ''))
  return namedYears(question).find((forms) => !forms.some((f) => hay.includes(f)))?.[0]
}

/** The question's subject terms with weights: rarer words weigh more; figures and single characters little. */
export function subjectTerms(question: string, stats: TermStatistics): Term[] {
  const weightOf = (token: string) => stats.idf.get(token) ?? stats.unseenIdf * UNSEEN_WEIGHT
  const years = new Map(namedYears(question).map((forms) => [forms[0]!, forms]))
  /** A word's forms and weight, before the clause it stands in is taken into account. */
  const termOf = (token: string): Term => {
    if (/^[a-z]/.test(token)) {
      // An English word counts as found when it or its Chinese equivalent appears.
      const forms = [token, ...englishExpansions(token).map((z) => normalize(z))]
      return { forms, weight: Math.max(...forms.map(weightOf)) }
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
    const forms = [token, ...synonymsOf(token).map((z) => normalize(z))]
    return { forms, weight: Math.max(...forms.map(weightOf)) * factor }
  }

  const terms = new Map<string, Term>()
  const weights = new Map<string, number>()
  const askedTokens = new Set<string>()
  const clauses = question.match(CLAUSES) ?? [question]
  const asking = clauses.some((c) => ASKS.test(c))
  for (const clause of clauses) {
    const clauseFactor = asking && !ASKS.test(clause) && !WANTS.test(clause) ? CONTEXT_FACTOR : 1
    for (let token of words(clause)) {
      if (HAN.test(token) && Array.from(token).length > 2 && TRAILING_FUNCTION.test(token)) token = token.slice(0, -1)
      // A stop word with a particle glued on ("做的", "用了") is still a stop word.
      else if (HAN.test(token) && Array.from(token).length === 2 && /[的了嗎呢吧過]$/u.test(token) && STOP_ZH.has(token.slice(0, -1))) token = token.slice(0, -1)
      // "幾級", "幾點", "幾成": the unit of the figure asked for, not a subject.
      if (STOP_ZH.has(token) || STOP_EN.has(token) || /^幾\p{Script=Han}$/u.test(token)) continue
      if (!HAN.test(token) && token.length < 2) continue
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
  const scale = storyWeight > askedWeight * STORY_SHARE ? (askedWeight * STORY_SHARE) / storyWeight : 1
  return [...terms].map(([token, { forms }]) => ({ forms, weight: weights.get(token)! * (story && !askedTokens.has(token) ? scale : 1) }))
}
/** A story about the asker starts by speaking of them. */
const FIRST_PERSON = /我|咱|敝|本公司|本店|小店/u
/** The most the asker's situation may weigh, as a share of what the question asks. */
const STORY_SHARE = 0.5

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
 * Kinds of information a question can ask for that a passage either holds or not. When the
 * question asks for one (a web address, a phone number…) and no passage has it, the knowledge base
 * does not answer the question, however well the topic matches.
 */
const ANSWER_TYPES: { name: string; asks: RegExp; needs: RegExp }[] = [
  // Asking for a site's address, not asking about the site ("服務網站累計多少人次瀏覽").
  { name: 'url', asks: /網址|連結|\blink\b|\burl\b|website|(哪個|哪一個|什麼)(網站|網頁)|(網站|網頁)(是什麼|在哪|是哪個|是哪一個)/i, needs: /https?:\/\/|www\.|\.gov\.tw|\.org\.tw|\.com\b/i },
  { name: 'phone', asks: /電話|專線|分機|\bphone\b/i, needs: /\(?0\d{1,3}\)?[-\s]?\d{3,4}[-\s]?\d{3,4}|0800/ },
  { name: 'email', asks: /e-?mail|信箱|電子郵件/i, needs: /@/ },
  { name: 'company-name', asks: /公司名稱|廠商名稱|哪家公司|哪一家公司|具體公司|company name/i, needs: /[\p{Script=Han}A-Za-z]{2,}(股份有限公司|有限公司|企業社)/u },
  { name: 'steps', asks: /步驟|\bsteps?\b/i, needs: /(步驟|step)\s*[一二三四五1-9]|第[一二三四五1-9]步|^\s*(\d+[.、)]|[①②③])/imu },
  { name: 'address', asks: /地址|住址|\baddress\b/i, needs: /[路街道]\S{0,8}號/u },
  // An amount of money (or a share of the cost) is answered by a figure with its unit.
  {
    name: 'amount',
    asks: /多少錢|[補拿借貸領給]多少|(最多|最高|上限).{0,6}[補拿借貸領]|[補拿借貸領].{0,6}多少|金額.{0,4}多少|額度.{0,4}多少|多少.{0,2}(補助|經費|預算|錢|額度)|how much/i,
    needs: /\d\s*(萬|億|元|千元|點|%|％)|一半|半數/u,
  },
  // A maximum per firm, case or person is answered by a figure marked as the limit, not by a budget total.
  {
    name: 'cap',
    asks: /(上限|最高|最多|至多|封頂)[^，,、。？?]{0,8}(補|拿|借|貸|領|保|給)|(補助|補貼|貸款|額度|點數)[^，,、。？?]{0,4}(上限|最高|最多)|(每案|每家|每一家|每一案|每件|每人|每位|一家|一案|一件|一個人|一人|一個)[^，,、。？?]{0,8}(補|拿|借|貸|領|給)[^，,、。？?]{0,6}(多少|幾)/u,
    needs: /(上限|最高|最多|至多|不超過|為限|以內|封頂)[^。\n]{0,20}(\d|一半|半數|[一二三四五六七八九]成)|\d[^。\n]{0,12}(為上限|為限|以內|上限)/u,
  },
  // "How long" is answered by a length of time (3個月, 10天, 2年) or, for "how often", a period (每季),
  // not by a year or a date.
  {
    name: 'duration',
    asks: /多久|多長|幾天|幾個月|幾週|幾星期|how long/i,
    needs: /(?<![\d.])(\d{1,2}|[一二三四五六七八九十兩半])\s*(個月|天|日內|工作天|週|周|星期|小時|年(?!度|\d))|當天|隔天|次日|即時|每(?:[一二兩三四半\d]*)(?:個月|月|季|週|周|年|天)|定期/u,
  },
  // Whether something costs money is answered by what it costs or that it is free.
  { name: 'fee', asks: /要不要錢|收費|收不收費|付費|要錢嗎|免費嗎|費用多少|多少費用|學費|報名費|繳費|要繳/u, needs: /免費|收費|付費|自付|自費|不用錢|不需付|不需負擔|全額補助|學費|報名費|\d\s*元/u },
  // A deadline or opening is answered by a month or a day; "when" about a process step is not asked here.
  {
    name: 'date',
    asks: /截止|幾月|幾號|哪天|哪一天|deadline|(什麼時候|何時|\bwhen\b).{0,4}(截止|收件|受理|開放|申請|開始|公告|開幕)|(截止|收件|受理|開放|申請|開始|公告|開幕).{0,6}(什麼時候|何時)/i,
    needs: /\d\s*月|\d{1,2}\/\d{1,2}|\d{4}-\d{2}|尚未公告|未公告/u,
  },
  // An application window is answered by a month next to the words that open or close it, not by a
  // programme's running period.
  {
    name: 'deadline',
    asks: /(截止|收件|受理|報名|開放申請|開始申請|申請期間).{0,8}(什麼時候|何時|哪天|哪一天|幾月|幾號|日期)|(什麼時候|何時|哪天|哪一天|幾月|幾號).{0,8}(截止|收件|受理|報名|開放申請|開始申請)|截止日|deadline/iu,
    needs: /(截止|受理|收件|申請期間|申請日期|報名|徵案|公告)[^。\n]{0,25}\d{1,2}\s*月|\d{1,2}\s*月[^。\n]{0,25}(截止|受理|收件|報名|徵案)|\d{1,2}\/\d{1,2}|尚未公告|未公告/u,
  },
  { name: 'rate', asks: /利率|利息|interest rate/i, needs: /(利率|利息)[^。\n]{0,20}\d/u },
  { name: 'share', asks: /比例|幾成|幾%|百分之|成數|percentage/i, needs: /\d\s*(%|％|成)|[一二三四五六七八九]成|一半|半數/u },
]

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

/** "Which aspects / parts / items": the question names no particular thing to look for. */
const GENERIC_FOCUS = new Set('面向 方面 部分 項目 內容 地方 重點 方式 類 種 樣 點'.split(' '))

/**
 * The thing a question asks for, when it says so: the word after 哪個 / 什麼 / 多少 / 幾
 * ("該找哪個機關" → 機關). Sentences holding it answer the question rather than restate its topic.
 */
export function questionFocus(question: string): string | undefined {
  const m = /(?:哪個|哪些|哪一個|哪一|哪種|哪家|哪位|哪類|什麼|甚麼|多少|幾)(\p{Script=Han}{1,4})/u.exec(question)
  if (!m) return undefined
  const word = words(m[1]!)[0]
  return word && !STOP_ZH.has(word) && !GENERIC_FOCUS.has(word) ? word : undefined
}
