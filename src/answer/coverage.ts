import { englishExpansions } from '../knowledge/expand.js'
import type { TermStatistics } from '../knowledge/search.js'
import { normalize, tokenize, words } from '../knowledge/text.js'

/** Words that carry the question's form, not its subject. */
const STOP_ZH = new Set(
  ('什麼 甚麼 多少 怎麼 怎樣 如何 為何 為什麼 哪些 哪個 哪裡 哪一 哪 嗎 呢 吧 啊 喔 哦 的 了 是 有 在 和 與 及 或 也 都 就 還 要 會 能 可 可以 可不可以 能不能 是否 有沒有 沒有 請問 想問 請 問 我 我們 你 你們 您 他 她 它 這 那 這個 那個 這些 那些 一下 幾 幾個 幾位 大概 目前 現在 聽說 一定 需要 嗎？ 呢？ 之前 已經 如果 那麼 怎麼辦 知道 告訴 說 講 給 讓 被 對 向 從 到 跟 把 又 再 但 而 或者 以及 關於 有關 相關 一個 上面 裡面 裡 中 上 下 多 少 最 更 很 比較 比 個 件 家 年 月 日 人 位').split(' '),
)
const STOP_EN = new Set(
  'a an the is are was were be been do does did i we you my our your it its this that these those there any some how what which who whom when where why can could would should will shall may might must to of in on for at by with from and or not no yes if then than as about into over per each every me us they them have has had need get go up out so just also like much many more most'.split(' '),
)

const HAN = /\p{Script=Han}/u
const UNSEEN_WEIGHT = 0.5
const NUMBERISH = /^\d[\d.]*$/

export interface Coverage {
  /** Share of the question's subject weight found in the passages (0–1). */
  ratio: number
  /** Subject words of the question that the passages lack, heaviest first. */
  missing: string[]
}

/** The question's subject tokens with their weights: rarer words weigh more; words the index lacks weigh most. */
export function weightedTerms(question: string, stats: TermStatistics): Map<string, number> {
  const weights = new Map<string, number>()
  const expanded = englishExpansions(question)
  for (const token of words(question)) {
    if (STOP_ZH.has(token) || STOP_EN.has(token)) continue
    if (!HAN.test(token) && token.length < 2) continue
    // Figures in a question are usually the asker's own ("我們 80 人"): they weigh little.
    const numeric = NUMBERISH.test(token)
    // An English word we can translate counts through its Chinese terms instead.
    if (/^[a-z]/.test(token) && englishExpansions(token).length > 0) continue
    // A word the knowledge base never uses may be a colloquial paraphrase (老闆 for 負責人) or a
    // concept it lacks: it counts, but less than a known word missing from the passage.
    const base = stats.idf.get(token) ?? stats.unseenIdf * UNSEEN_WEIGHT
    const single = HAN.test(token) && Array.from(token).length === 1
    weights.set(token, numeric ? base * 0.2 : single ? base * 0.3 : base)
  }
  for (const zh of expanded) for (const token of words(zh)) if (!weights.has(token)) weights.set(token, stats.idf.get(token) ?? stats.unseenIdf * UNSEEN_WEIGHT)
  return weights
}

/** How much of what the question is about appears in the given passages. */
export function coverageOf(question: string, passages: string[], stats: TermStatistics): Coverage {
  const weights = weightedTerms(question, stats)
  const present = new Set(tokenize(passages.join('\n')))
  const hay = normalize(passages.join('\n'))
  let total = 0
  let found = 0
  const missing: [string, number][] = []
  for (const [token, w] of weights) {
    total += w
    if (present.has(token) || hay.includes(token)) found += w
    else missing.push([token, w])
  }
  missing.sort((a, b) => b[1] - a[1])
  return { ratio: total === 0 ? 0 : found / total, missing: missing.map(([t]) => t) }
}
