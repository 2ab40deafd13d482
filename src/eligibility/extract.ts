import { ASKS_QUANTITY, CLAUSES } from '../answer/coverage.js'
import type { Facts } from './engine.js'
import { findAmounts } from './numbers.js'
import type { ProgrammeRules } from './rules.js'

/**
 * Reads an owner's free question ("我們 80 人的食品廠可以申請雲市集點數嗎?") into facts for the engine,
 * the programmes and tracks it asks about, and whether it is an eligibility question at all.
 * Later mentions win, so a follow-up read together with its question ("…80 人… 那 250 人呢") uses 250.
 */
export interface QuestionReading {
  facts: Facts
  /** Programme ids the user asks about (not those they already have). */
  programmes: string[]
  tracks: string[]
  /** Asks whether they can apply / qualify. */
  asksEligibility: boolean
  /** Names a programme the rules do not cover (e.g. 即時技術輔導): the engine should stay out. */
  mentionsOtherProgramme: boolean
  /** "哪些補助可以申請", "可以申請補助嗎": no programme named on purpose. */
  asksWhichProgrammes: boolean
  /** "哪些計畫不符合?", "為什麼不能申請": the programmes that do not fit, and why. */
  asksNotEligible: boolean
  /** Asks what the rules do not decide (a partner's requirements, applying again): the documents answer. */
  beyondRules: boolean
}

/** "可以申請…嗎", "符合…門檻嗎", "有資格嗎" — not "有多少家申請". */
const ASKS_ELIGIBILITY =
  /(可以|可不可以|能不能|能否|可否|還能|能|符合|夠格|有沒有資格|適合|適用)[^,。;!?]{0,12}(申請|申辦|參加|資格|門檻|條件|補助)|(資格|門檻|條件)[^,。;!?]{0,6}(嗎|呢|\?|符合)|申請得到|申請[^,。;!?]{0,8}(嗎|呢)|(可以|能|可否|能否)(拿|領)[^,。;!?多少]{0,10}(嗎|呢)/
/** "可以多補助嗎", "有加碼嗎": whether the grant grows, not whether the firm qualifies. */
const ASKS_MORE_FUNDING = /多補|加碼|加補|提高補助/
const ASKS_NOT_ELIGIBLE = /(不符合|不能申請|不可以申請|不適用|為什麼不行|為何不行)/
/**
 * Questions the rules do not decide, left to the documents: the requirements of a partner role
 * ("SI業者本身需要什麼資格", "供應商要符合什麼條件") and applying again to the same programme
 * ("去年做過一案，今年還能再申請嗎").
 */
const PARTNER_REQUIREMENTS = /(si|系統整合|委外|供應商|服務商|輔導單位|輔導機構|顧問(公司|團隊)?|資服業者)(業者|廠商|商)?(本身)?[^，,。？?]{0,6}(需要|要有|要|須|需|得)[^，,。？?]{0,4}(什麼|哪些|甚麼)?(資格|條件|門檻)/
const REAPPLY = /(再申請|再次申請|重複申請|第二次申請|再提案|再申請一次|還能再|可以再)/
/** "要自己去申請嗎", "需不需要申請": whether one must apply is a question of process, not of qualifying. */
const MUST_APPLY = /(要|需要|需不需要|要不要|得|必須)(自己|另外|主動|親自)?(去)?(提出)?申請(嗎|呢|\?)/
/** "要附哪些證明文件才能申請": what to hand in is a question of process, answered by the documents. */
const DOCUMENTS_ASKED = /(附|準備|繳交|提供|檢附|送)(上)?(哪些|什麼|甚麼)[^，,。？?]{0,6}(文件|證明|資料|附件)/
/** "有什麼補助可以申請" without naming one. */
const GENERIC_APPLY = /申請(政府)?(的)?(補助|計畫|資源)/
const WHICH = /(什麼|哪些|哪個|哪種|哪一個|有沒有)(政府)?(的)?(補助|計畫|方案|資源)|(申請|拿|用)(什麼|哪些|哪一?個|哪種)(?!時候|時間)/
const OTHER_PROGRAMME = /(sbir|小巨人|創業|貸款|技術輔導|即時技術|[\u4e00-\u9fff]{2,}(計畫|輔導|方案|獎))/
/** Having a grant already: "拿過", "已獲", "有用", "申請過"… */
const PRIOR = /(拿過|拿到|已獲|獲得過|獲得|有用|用過|領過|申請過|申請到|正在用|已經有|之前有|有拿|目前有)/g
const TARGET_MARKER = /(可以|可不可以|能不能|還能|能否|可否|是否|想申請|要申請|申請)/
const NO_FUNDING = /(沒有|沒|未|不曾)(拿過|申請過|獲得過?|領過|拿)(任何|其他|別的)?(政府)?(的)?(補助|計畫)/
const NEGATION = /(不是|並非|非|沒有|沒|無|未|不算|不屬於)$/

const REVENUE_WORDS = /(營收|營業額|業績|年收|營業收入|一年做|年營業)/
const CAPITAL_WORDS = /(資本額|資本|實收)/
/** "不是製造業", "並非…": a kind of business the owner says they are not. */
const NOT_KIND = /(不是|並非|非|不算)$/
/** "沒拿過", "未曾獲得", "從來沒有申請過": the grant named next was never received. */
const NEVER_BEFORE = /(沒|沒有|未|未曾|不曾|從沒|從來沒有?|還沒|尚未)$/

/** Counties and cities by the names owners use; values are written with 臺 as the documents do. */
const REGIONS: [RegExp, string][] = [
  [/(台北|臺北|北市)/, '臺北市'],
  [/新北/, '新北市'],
  [/基隆/, '基隆市'],
  [/桃園/, '桃園市'],
  [/新竹/, '新竹'],
  [/宜蘭/, '宜蘭縣'],
  [/苗栗/, '苗栗縣'],
  [/(台中|臺中)/, '臺中市'],
  [/彰化/, '彰化縣'],
  [/南投/, '南投縣'],
  [/雲林/, '雲林縣'],
  [/嘉義/, '嘉義'],
  [/(台南|臺南)/, '臺南市'],
  [/高雄/, '高雄市'],
  [/屏東/, '屏東縣'],
  [/花蓮/, '花蓮縣'],
  [/(台東|臺東)/, '臺東縣'],
  [/澎湖/, '澎湖縣'],
  [/金門/, '金門縣'],
  [/(馬祖|連江)/, '連江縣'],
]

export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase()
}

function negated(text: string, index: number): boolean {
  return NEGATION.test(text.slice(Math.max(0, index - 3), index))
}

/** Every occurrence of any alias, longest first, without overlaps. */
function mentions(text: string, entries: { id: string; aliases: string[] }[]): { id: string; index: number; end: number }[] {
  const all = entries.flatMap((e) => e.aliases.map((a) => ({ id: e.id, alias: normalizeText(a) })))
  all.sort((a, b) => b.alias.length - a.alias.length)
  const found: { id: string; index: number; end: number }[] = []
  for (const { id, alias } of all) {
    let from = 0
    for (;;) {
      const index = text.indexOf(alias, from)
      if (index === -1) break
      const end = index + alias.length
      if (!found.some((f) => index < f.end && end > f.index)) found.push({ id, index, end })
      from = end
    }
  }
  return found.sort((a, b) => a.index - b.index)
}

/**
 * A mention is of a grant the firm already has when a "拿過/已獲…" precedes it in the same clause with
 * no "可以申請" in between — and of one it never had ('never') when that verb is negated ("沒拿過").
 */
function isPrior(text: string, index: number): boolean | 'never' {
  const clauseStart = Math.max(...[...'，,。；;!?！？\n'].map((p) => text.lastIndexOf(p, index - 1)), -1) + 1
  const from = Math.max(clauseStart, index - 14)
  const before = text.slice(from, index)
  let last: RegExpMatchArray | undefined
  for (const m of before.matchAll(PRIOR)) last = m
  if (!last) return false
  if (TARGET_MARKER.test(before.slice(last.index! + last[0].length))) return false
  return NEVER_BEFORE.test(text.slice(clauseStart, from + last.index!)) ? 'never' : true
}

/**
 * The kind of business, from the everyday words in the rules' `industries` ("做APP和網站外包" →
 * software-it, "食品廠" → manufacturing). The earliest mention wins, as owners say what they are before
 * what they make or sell; "不是製造業" only rules a kind out.
 */
export function readIndustry(text: string, rules: ProgrammeRules): string | undefined {
  let best: { id: string; index: number } | undefined
  const ruledOut = new Set<string>()
  for (const industry of rules.industries) {
    const res = [...industry.words.map((w) => new RegExp(escapeRegExp(normalizeText(w)), 'g')), ...industry.patterns.map((p) => new RegExp(p, 'g'))]
    for (const re of res) {
      for (const m of text.matchAll(re)) {
        if (NOT_KIND.test(text.slice(Math.max(0, m.index - 3), m.index))) {
          ruledOut.add(industry.id)
          continue
        }
        if (!best || m.index < best.index) best = { id: industry.id, index: m.index }
      }
    }
  }
  if (best && !ruledOut.has(best.id)) return best.id
  return ruledOut.size > 0 ? 'other' : undefined
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function lastIndexOf(text: string, re: RegExp): number {
  let last = -1
  for (const m of text.matchAll(new RegExp(re.source, 'g'))) last = m.index
  return last
}

export function extractFacts(raw: string, rules: ProgrammeRules): { facts: Facts; programmes: string[]; tracks: string[] } {
  const text = normalizeText(raw)
  const facts: Facts = {}

  // Names like 「30人以下數位人培」 hold numbers that are no fact about the firm.
  let amountsText = text
  for (const m of mentions(text, rules.programmes)) amountsText = amountsText.slice(0, m.index) + ' '.repeat(m.end - m.index) + amountsText.slice(m.end)
  for (const a of findAmounts(amountsText)) {
    if (a.kind === 'people') {
      facts.employees = a.range
      continue
    }
    const before = text.slice(Math.max(0, a.index - 8), a.index)
    const after = text.slice(a.end, a.end + 5)
    const revenueAt = lastIndexOf(before, REVENUE_WORDS)
    const capitalAt = lastIndexOf(before, CAPITAL_WORDS)
    if (revenueAt > capitalAt) facts.revenue = a.range
    else if (capitalAt > revenueAt) facts.capital = a.range
    else if (REVENUE_WORDS.test(after)) facts.revenue = a.range
    else if (CAPITAL_WORDS.test(after)) facts.capital = a.range
  }

  const industry = readIndustry(text, rules)
  if (industry) facts.industry = industry
  for (const [re, region] of REGIONS) if (re.test(text)) {
    facts.region = region
    break
  }

  if (/(沒有|沒|無|未)(辦)?(理)?工廠登記/.test(text)) facts.factory = 'none'
  else if (/免(辦|登記|工廠登記)/.test(text)) facts.factory = 'exempt'
  else if (/(有|已)(經)?(辦)?(理)?(工廠登記|工廠登記證)/.test(text)) facts.factory = 'registered'

  const unregistered = /(沒有|沒|未|無|還沒|尚未)(辦理?)?([^，,。;；]{0,6})登記/.exec(text)
  if (unregistered && !unregistered[3]!.includes('工廠') && !unregistered[3]!.includes('廠')) facts.registration = 'none'
  else if (/分公司/.test(text)) facts.registration = 'branch'
  else if (/有限合夥/.test(text)) facts.registration = 'limited-partnership'
  else if (/(行號|商號|商業登記)/.test(text)) facts.registration = 'business'
  else if (/(有限公司|公司登記)/.test(text)) facts.registration = 'company'

  const midsize = text.match(/中堅企業|中堅/)
  if (midsize) facts.midsize = !negated(text, midsize.index!)
  const chinese = text.match(/陸資/)
  if (chinese) facts.chineseInvestment = !negated(text, chinese.index!)
  if (/淨值(是|為)?(正|正值|正數)/.test(text)) facts.positiveNetWorth = true
  else if (/淨值(是|為)?(負|負值|負數)/.test(text)) facts.positiveNetWorth = false

  const prior = new Set<string>()
  let never = false
  for (const m of mentions(text, rules.funding_schemes)) {
    const had = isPrior(text, m.index)
    if (had === 'never') never = true
    else if (had) prior.add(m.id)
  }
  if (prior.size > 0) facts.priorFunding = [...prior]
  else if (never || NO_FUNDING.test(text)) facts.priorFunding = []

  const programmes = new Set<string>()
  for (const m of mentions(text, rules.programmes)) if (!isPrior(text, m.index)) programmes.add(m.id)
  const trackEntries = rules.programmes.flatMap((p) => p.tracks.map((t) => ({ id: `${p.id}/${t.id}`, aliases: t.aliases })))
  const tracks = new Set<string>()
  for (const m of mentions(text, trackEntries)) {
    const [programme, track] = m.id.split('/') as [string, string]
    if (programmes.size === 0 || programmes.has(programme)) tracks.add(track)
  }
  // A track named without its programme ("建置案可以申請嗎") points at the programmes that have it; only
  // a "…案" name is that specific: "貸款", "診斷" or "課程" alone name no programme.
  if (programmes.size === 0) for (const m of mentions(text, trackEntries)) if (text.slice(m.end - 1, m.end) === '案') programmes.add(m.id.split('/')[0]!)
  return { facts, programmes: [...programmes], tracks: [...tracks] }
}

export function readQuestion(raw: string, rules: ProgrammeRules): QuestionReading {
  const text = normalizeText(raw)
  const { facts, programmes, tracks } = extractFacts(raw, rules)
  return {
    facts,
    programmes,
    tracks,
    // "可以補助多少", "能申請幾次": a clause asking a quantity asks for a figure, not whether the firm qualifies.
    asksEligibility: (text.match(CLAUSES) ?? []).some((c) => ASKS_ELIGIBILITY.test(c) && !ASKS_QUANTITY.test(c) && !ASKS_MORE_FUNDING.test(c)) || ASKS_NOT_ELIGIBLE.test(text),
    asksNotEligible: ASKS_NOT_ELIGIBLE.test(text),
    beyondRules: PARTNER_REQUIREMENTS.test(text) || REAPPLY.test(text) || MUST_APPLY.test(text) || DOCUMENTS_ASKED.test(text),
    mentionsOtherProgramme: programmes.length === 0 && OTHER_PROGRAMME.test(text.replace(WHICH, '')),
    asksWhichProgrammes: WHICH.test(text) || GENERIC_APPLY.test(text) || ASKS_NOT_ELIGIBLE.test(text),
  }
}

/** Facts the engine can decide anything with. */
export function hasFacts(f: Facts): boolean {
  return Object.values(f).some((v) => v !== undefined)
}
