import type { SearchHit, TermStatistics } from '../knowledge/search.js'
import { normalize, numbersAsWords, words } from '../knowledge/text.js'
import { englishExpansions, mentionsDomain, synonymsOf } from '../knowledge/expand.js'
import { answersType, asksAnswerType, asksSomething, CLAUSES, namedYears, coverageOf, measuredThing, missingAnswerType, missingAnswerTypes, missingChoice, missingMeasuredThing, missingPlace, missingYear, onlyPlannedFigures, questionFocus, subjectTerms, type Coverage } from './coverage.js'
import { toUnits } from './passages.js'
import type { Citation } from './types.js'
import { POLICY, T } from './policy.js'

const B = POLICY.budgets

/** About what a phone shows without scrolling far; the rest goes behind 看更多. */
export const ANSWER_BUDGET = B.answer
/** Sentences of the passage shown after a card's lead, for what the lead lacks. */
const DETAIL_BUDGET = B.detail
/** A second passage is shown when at least this share of the question's subject is still open. */
const SECOND_PART_SHARE = T.second_part_share
/** A passage whose best sentence scores at least this share of the main passage's is shown too. */
const RIVAL_SHARE = T.rival_share
/** A third passage is shown only when it is this close to the main one. */
const CLOSE_RIVAL_SHARE = T.close_rival_share
const EXTRA_BUDGET = B.extra
const MORE_BUDGET = B.more

/** Below this share of the question's subject found in the passages, the bot declines instead of guessing. */
export const COVERAGE_THRESHOLD = T.coverage
/**
 * The bar for questions that ask for no figure or kind of fact ("什麼是…", "要準備什麼", "為什麼…").
 * Their wording strays further from the documents', and what the knowledge base lacks is nearly
 * always a figure, a date or a limit, which keeps the full bar: a number is never guessed. A
 * message that asks nothing ("請把…貼給我") keeps it too.
 */
const DESCRIPTIVE_THRESHOLD = T.descriptive
const OFF_DOMAIN_THRESHOLD = T.off_domain
/** Below this, the question is not about our subject at all. */
export const OUT_OF_SCOPE_THRESHOLD = T.out_of_scope

/** A question written in English (mostly Latin letters) is answered in English where a card has it. */
export function isEnglish(question: string): boolean {
  const latin = (question.match(/[A-Za-z]/g) ?? []).length
  const han = (question.match(/\p{Script=Han}/gu) ?? []).length
  return latin >= 8 && latin > han * 3 && ENGLISH_WORDS.test(question)
}
/** Everyday English words: letters without any of them are a code or gibberish ("asdf qwer"), not English. */
const ENGLISH_WORDS = /\b(the|a|an|is|are|can|could|do|does|what|how|which|who|when|where|why|i|we|my|our|for|to|of|in|on|apply|any|there|much|many)\b/i

/** How much a card phrasing adds to a passage's merit, at full similarity, as a share of the question's weight. */
const ASKED_WEIGHT = T.asked_weight
/** How much the words of a passage's title and headings count beside its best sentence. */
const CONTEXT_WEIGHT = T.context_weight
/** How much a card's lead counts beside the passage's own best sentence when passages compete. */
const LEAD_WEIGHT = T.lead_weight

/** Han character pairs and Latin words: the units two phrasings of one question share. */
function grams(text: string): Set<string> {
  const t = numbersAsWords(normalize(text)).replace(/[？?！!。，,、\s「」（）()]/g, ' ')
  const out = new Set<string>()
  for (const run of t.match(/\p{Script=Han}+/gu) ?? []) for (let i = 0; i + 1 < run.length; i++) out.add(run.slice(i, i + 2))
  // English function words ("what was the … of the") say nothing of which question it is.
  for (const w of t.match(/[a-z0-9]{2,}/g) ?? []) if (!POLICY.stop_words_en.has(w)) out.add(w)
  return out
}

/** Dice similarity of two phrasings over their character pairs (0–1). */
export function phrasingSimilarity(a: string, b: string): number {
  const x = grams(a)
  const y = grams(b)
  if (x.size === 0 || y.size === 0) return 0
  let shared = 0
  for (const g of x) if (y.has(g)) shared++
  return (2 * shared) / (x.size + y.size)
}

export interface Composed {
  covered: boolean
  coverage: Coverage
  /** The kind of fact asked for that the main passage lacks (an amount, a date…), if any. */
  lacking: string | undefined
  body: string
  citations: Citation[]
  more: string | undefined
}

/** A question after a list ("有哪幾個子計畫？"): a card's lead names all of it; a few of the passage's lines would name some. */
const ASKS_LIST = /哪些|哪幾|有哪|列出|\bwhich\b.*\b(are|were)\b|\bwhat are\b/iu
/** Questions after a quantity, amount, share or date: sentences with figures answer them. */
const ASKS_FIGURE = /多少|幾|比例|金額|上限|額度|預算|經費|how (many|much|long)|\bwhen\b|什麼時候|哪一年|期間|日期/i
const HAS_FIGURE = /\d/

function scoreUnit(unit: string, terms: { forms: string[]; weight: number }[], wantsFigure: boolean): number {
  const hay = normalize(unit)
  let score = 0
  for (const t of terms) if (t.forms.some((f) => hay.includes(f))) score += t.weight
  return wantsFigure && HAS_FIGURE.test(unit) ? score * 1.3 : score
}

function citationOf(hit: SearchHit, n: number): Citation {
  return {
    n,
    documentId: hit.documentId,
    chunkHash: hit.chunkHash,
    title: hit.title,
    headingPath: hit.headingPath,
    kind: hit.kind,
    status: hit.status,
    sourceDate: hit.sourceDate,
    windowCloses: hit.windowCloses,
  }
}

/** Picks units in their original order: the best-scoring first, then (if `fill`) neighbours, within a budget. */
function pick(units: { text: string; score: number }[], budget: number, fill = true): { chosen: number[]; rest: number[] } {
  const order = units.map((u, i) => i).sort((a, b) => units[b]!.score - units[a]!.score || a - b)
  const chosen = new Set<number>()
  let used = 0
  for (const i of order) {
    const len = units[i]!.text.length
    if (chosen.size > 0 && (used + len > budget || units[i]!.score === 0)) continue
    chosen.add(i)
    used += len
  }
  // Fill with leading context (often the sentence naming the subject) while room remains.
  for (let i = 0; fill && i < units.length && used < budget; i++) {
    if (!chosen.has(i) && used + units[i]!.text.length <= budget) {
      chosen.add(i)
      used += units[i]!.text.length
    }
  }
  const sorted = [...chosen].sort((a, b) => a - b)
  return { chosen: sorted, rest: units.map((_, i) => i).filter((i) => !chosen.has(i)) }
}

/**
 * The offline answer: the best passage's most relevant sentences, plus the best sentence of other
 * strong passages, each marked with its source number. Nothing is written that the sources do not say.
 */
export function composeExtractive(question: string, hits: SearchHit[], stats: TermStatistics, now?: Date, context: AskedContext = {}): Composed {
  const first = composeFrom(question, hits, stats, now, context)
  // The main section held the kind of fact asked only in a line about something else (a rule's "每年1案"
  // for "幾案"): another section of the same document that holds it answers instead, if it covers the question as well.
  const main = hits.find((h) => h.chunkHash === first.citations[0]?.chunkHash)
  if (!main || first.lacking === undefined || !POLICY.answer_types.some((t) => t.name === first.lacking)) return first
  const siblings = hits.filter((h) => h !== main && h.documentId === main.documentId && missingAnswerType(question, [h.card?.lead ?? h.text]) === undefined)
  if (siblings.length === 0) return first
  const second = composeFrom(question, [...siblings, ...hits.filter((h) => h !== main && !siblings.includes(h))], stats, now, context)
  return second.covered && second.coverage.ratio >= first.coverage.ratio ? second : first
}

/** How much a passage's merit yields per place in the retriever's order: a small preference for its ranking. */
const RANK_DECAY = 0.08
/** Across a programme's pool of up to 20 passages, the retriever's order counts for less (at 0.08 a 13th passage could not be read). */
const POOL_RANK_DECAY = 0.04

/** The question's subject words, weighted for these passages. */
function weightsFor(question: string, hits: SearchHit[], stats: TermStatistics): { forms: string[]; weight: number }[] {
  const terms = subjectTerms(question, stats)
  // Words every passage shares name the topic; words only some passages have name what is asked
  // ("哪個機關"), so within these passages they weigh more.
  // (Titles are left out: passages of one document share theirs.) The word the question asks
  // for ("哪個機關") counts double.
  const hay = hits.map((h) => normalize(`${h.headingPath.join(' ')} ${h.text}`))
  const focus = questionFocus(question)
  return terms.map((t) => {
    const share = hay.filter((x) => t.forms.some((f) => x.includes(f))).length / Math.max(1, hits.length)
    const focused = focus !== undefined && t.forms.includes(normalize(focus)) ? 2 : 1
    return { ...t, weight: t.weight * (2 - share) * focused }
  })
}

interface ScoredPassage {
  hit: SearchHit
  units: { text: string; score: number }[]
  best: number
  merit: number
  holds: boolean
  /** Narrowed to one member of a breakdown the question does not name. */
  narrower: boolean
}

/**
 * How well each passage answers: its best sentence (or its card's lead), its title and headings, what
 * its other sentences add, and how closely the question matches one of its card's phrasings, with a
 * preference for the retriever's order (`decay` per rank).
 */
function scorePassages(question: string, hits: SearchHit[], weights: { forms: string[]; weight: number }[], decay: number): ScoredPassage[] {
  const wantsFigure = ASKS_FIGURE.test(question)
  const totalWeight = weights.reduce((a, t) => a + t.weight, 0)
  const overYears = namedYears(question).length === 0 && OVER_YEARS.test(normalize(question))
  const narrower = narrowerThanAsked(question, hits)
  const overview = ASKS_OVERVIEW.test(question)
  // The parts of a breakdown the question does not ask about push no other section down the order.
  let wider = 0
  return hits.map((hit, index) => {
    const rank = narrower.has(hit) ? index : wider++
    // The title and headings give a passage its subject even when its sentences do not repeat it.
    const heading = hit.headingPath.join(' ')
    const context = scoreUnit(`${hit.title} ${heading}`, weights, false)
    const units = toUnits(hit.text).map((text) => ({ text, score: scoreUnit(text, weights, wantsFigure) }))
    // The card's lead, written as the section's answer, speaks for it like its best sentence (a table's
    // rows name neither the group nor the tool the question does; its lead does), a little discounted:
    // a sentence of the passage itself is what the lead summarises.
    const best = Math.max(0, ...units.map((u) => u.score), hit.card ? scoreUnit(hit.card.lead, weights, wantsFigure) * LEAD_WEIGHT : 0)
    // A table's rows are read with their column labels ("申請案數 665"): the labels say what a figure counts.
    const holds = missingAnswerType(question, [hit.text, ...units.map((u) => u.text)]) === undefined && missingYear(question, [hit.text, heading]) === undefined
    // What the rest of the passage adds: a question in two parts is answered by the passage holding both.
    const beyondBest = Math.max(0, scoreUnit(hit.text, weights, wantsFigure) - best)
    // A question worded like one of the card's phrasings is the question the card answers.
    const asked = Math.max(0, ...(hit.card?.asks ?? []).map((a) => phrasingSimilarity(question, a))) * totalWeight * ASKED_WEIGHT
    // A question over the years ("這十年來總共…") is answered by the section on all of them, not by one
    // year's section that shares its words.
    const oneYear = overYears && ONE_YEAR_HEADING.test(`${hit.title} ${heading}`) && !YEARS_HEADING.test(`${hit.title} ${heading}`)
    // "合作行銷輔導是要幫企業做什麼？": the section describing it answers, not its budget or one year's results.
    const offOverview = overview && !OVERVIEW_SECTION.test(hit.headingPath.at(-1) ?? '')
    const share = (oneYear ? ONE_YEAR_SHARE : 1) * (narrower.has(hit) ? NARROWER_SHARE : 1) * (offOverview ? OVERVIEW_SHARE : 1)
    return { hit, units, best, merit: (best + context * CONTEXT_WEIGHT + beyondBest * 0.3 + asked) * (1 - decay * rank) * share, holds, narrower: narrower.has(hit) }
  })
}

/** What a section narrowed to one member of a breakdown keeps of its merit when the question names no member. */
const NARROWER_SHARE = T.narrower_share
/** The shortest ending sibling headings must share to be one breakdown's members ("逐年申請與通過"). */
const SHARED_ENDING = 4

/**
 * Sections narrowed to one member of a breakdown the question does not name: siblings (one document,
 * one parent heading) whose headings differ only at the start ("南區逐年申請與通過", "北區逐年申請與通過")
 * each hold one region, function or kind of unit. For "105年總共申請幾案" every one of them shares the
 * question's words, and the section on the whole is outranked by the many parts of it.
 */
function narrowerThanAsked(question: string, hits: SearchHit[]): Set<SearchHit> {
  const asked = normalize(question)
  // The question's words in every form it may take in a heading ("南部" names 南區, "製程" 製程技術).
  const askedWords = words(question)
  const forms = [...askedWords, ...englishExpansions(question), ...askedWords.flatMap(synonymsOf)].map(normalize).filter((f) => Array.from(f).length >= 2)
  // A word the section's title or parent headings also hold ("技術" of 即時技術輔導計畫) says which
  // document, not which member.
  const names = (member: string, context: string) => asked.includes(member) || forms.some((f) => member.includes(f) && !context.includes(f))
  const narrower = new Set<SearchHit>()
  const leaf = (h: SearchHit) => normalize(h.headingPath.at(-1) ?? '')
  const parent = (h: SearchHit) => `${h.documentId}>${h.headingPath.slice(0, -1).join('>')}`
  for (const hit of hits) {
    const own = Array.from(leaf(hit))
    if (hit.headingPath.length < 2 || own.length <= SHARED_ENDING) continue
    // The longest ending this heading shares with two siblings or more (a breakdown has three members
    // at least; two headings often share an ending by chance): what is left before it is the member.
    const shared = hits
      .filter((other) => other !== hit && parent(other) === parent(hit))
      .map((other) => {
        const theirs = Array.from(leaf(other))
        let k = 0
        while (k < own.length && k < theirs.length && own[own.length - 1 - k] === theirs[theirs.length - 1 - k]) k++
        return k < own.length && k < theirs.length ? k : 0
      })
      .sort((a, b) => b - a)
    const ending = shared[1] ?? 0
    // "南區…" and "北區…" share 區…: the member is 南區, not 南 (a lone 中 is in every 中小企業).
    const member = ending >= SHARED_ENDING ? own.slice(0, Math.max(2, own.length - ending)).join('') : undefined
    if (member !== undefined && !names(member, normalize(`${hit.title} ${hit.headingPath.slice(0, -1).join(' ')}`))) narrower.add(hit)
  }
  return narrower
}

/** A question about many years at once, naming none of them. */
const OVER_YEARS = /十年|(這|近|過去)10年|10年(來|間|累計)|歷年|歷來|累計|這些年|多年來|over the (past )?(years|decade)|\bdecade\b|cumulative|in total since/u
/** A section headed by one ROC year (107年度), not a period (98~107年) or the decade. */
const ONE_YEAR_HEADING = /(?<![\d~\-–至到])1\d{2}\s*年/u
const YEARS_HEADING = /\d{2,3}\s*年?度?\s*[~\-–至到]\s*\d{2,3}|十年|歷年/u
/** What a one-year section's merit keeps for a question over the years. */
const ONE_YEAR_SHARE = T.one_year_share
/** A question after what a programme does, and the sections that say it (data: answer policy). */
const ASKS_OVERVIEW = POLICY.overview.asks
const OVERVIEW_SECTION = POLICY.overview.sections
const OVERVIEW_SHARE = T.overview_share

/** The `n` passages that best answer the question, from a wider pool the retriever found, in the retriever's order (parts of a breakdown not asked about last). */
export function bestPassages(question: string, hits: SearchHit[], stats: TermStatistics, n: number): SearchHit[] {
  if (hits.length <= n) return hits
  const scored = scorePassages(question, hits, weightsFor(question, hits, stats), POOL_RANK_DECAY)
  const kept = new Set([...scored].sort((a, b) => b.merit - a.merit).slice(0, n))
  // Parts of a breakdown the question does not ask about go last: fewer of their siblings may be left
  // to tell them for parts.
  return [...scored.filter((x) => kept.has(x) && !x.narrower), ...scored.filter((x) => kept.has(x) && x.narrower)].map((x) => x.hit)
}

/** What is known of the question beyond its words. */
export interface AskedContext {
  /** It names a programme the knowledge base holds (小巨人獎): it is about our subject, whatever its other words. */
  namesProgramme?: boolean
}

function composeFrom(question: string, hits: SearchHit[], stats: TermStatistics, now: Date | undefined, asked: AskedContext): Composed {
  if (hits.length === 0) return { covered: false, coverage: { ratio: 0, missing: [] }, lacking: undefined, body: '', citations: [], more: undefined }
  const weights = weightsFor(question, hits, stats)
  const wantsFigure = ASKS_FIGURE.test(question)
  const descriptive = asksSomething(question) && !wantsFigure && !asksAnswerType(question)
  const scored = scorePassages(question, hits, weights, RANK_DECAY)
  // The main passage: the one whose best sentence, context and other sentences hold most of the question, with a
  // small preference for the retriever's order. If it lacks the kind of fact asked for (an amount,
  // a date…) or the year named, another section of the same document that has it leads instead;
  // another document's would answer about something else.
  const byMerit = [...scored].sort((a, b) => b.merit - a.merit)
  const best = byMerit[0]!
  const main = best.holds ? best : (byMerit.find((x) => x.holds && x.hit.documentId === best.hit.documentId) ?? best)
  const citations: Citation[] = [citationOf(main.hit, 1)]
  const english = isEnglish(question)
  const found = (text: string) => {
    const hay = normalize(text)
    return weights.filter((t) => t.forms.some((f) => hay.includes(f)))
  }
  let lines: string[]
  /** The sentences shown from the main passage (its card's lead in Chinese, then the passage's). */
  let mainSentences: string[]
  const moreParts: string[] = []
  if (main.hit.card) {
    // The card's lead answers first; sentences of the passage follow only for what the lead lacks:
    // a word of the question it does not hold, or the kind of fact asked for (an amount, a date…).
    const card = main.hit.card
    // In English, the Chinese lead follows the English one: the programme's own terms and figures as the
    // office writes them (20萬元, 5個月, 網站建置), which an applicant quotes and searches for.
    const lead = english && card.lead_en ? `${card.lead_en}\n${card.lead}` : card.lead
    const inLead = new Set(found(card.lead))
    const wantsType = missingAnswerType(question, [card.lead]) !== undefined
    const candidates = main.units
      .map((u, i) => ({ ...u, i, adds: found(u.text).filter((t) => !inLead.has(t)).reduce((a, t) => a + t.weight, 0), typed: wantsType && missingAnswerType(question, [u.text]) === undefined }))
      // An English reply keeps to the English lead: a Chinese sentence follows only when it holds the kind of fact asked.
      .filter((u) => u.typed || (u.adds > 0 && !(english && card.lead_en)))
    // A sentence restating the lead (its figures all there, most of its words too) adds nothing but length;
    // it still speaks for the lead when telling which sentences are about what is asked.
    const restated = candidates.filter((u) => restates(card.lead, u.text))
    const details = candidates
      .filter((u) => !restated.includes(u))
      // Among sentences adding as much, the one that also repeats more of the question (a table row
      // naming the region asked) is the one that answers.
      .sort((a, b) => Number(b.typed) - Number(a.typed) || b.adds - a.adds || b.score - a.score || a.i - b.i)
    const chosen: typeof details = []
    let used = 0
    for (const d of details) {
      if (chosen.length > 0 && used + d.text.length > DETAIL_BUDGET) continue
      if (chosen.length >= 3) break
      chosen.push(d)
      used += d.text.length
    }
    // A question after what something is or does, led by a card of figures, gets the passage's own
    // description too (the sentence with no figures that shares most of the question).
    if (descriptive && /\d/.test(card.lead) && !(english && card.lead_en) && !chosen.some((d) => !/\d/.test(d.text))) {
      const description = main.units
        .map((u, i) => ({ ...u, i }))
        .filter((u) => !/\d/.test(u.text) && u.score > 0 && !restates(card.lead, u.text) && !chosen.some((d) => d.i === u.i))
        .sort((a, b) => b.score - a.score)[0]
      if (description) chosen.push({ ...description, adds: 0, typed: false })
    }
    chosen.sort((a, b) => a.i - b.i)
    lines = [`${[lead, ...chosen.map((d) => d.text)].join('\n')}〔1〕`]
    mainSentences = [...(card.lead.match(SENTENCES) ?? [card.lead]), ...chosen.map((d) => d.text), ...restated.map((d) => d.text)]
    moreParts.push(`${main.units.map((u) => u.text).join('\n')}〔1〕`)
  } else {
    const { chosen, rest } = pick(main.units, ANSWER_BUDGET)
    lines = [`${chosen.map((i) => main.units[i]!.text).join('\n')}〔1〕`]
    mainSentences = chosen.map((i) => main.units[i]!.text)
    if (rest.length > 0) moreParts.push(`${rest.map((i) => main.units[i]!.text).join('\n')}〔1〕`)
  }

  // A second passage is shown only for a part of the question the first leaves open (a two-part
  // question); otherwise other passages wait behind 看更多, so a cap question about one programme is
  // not followed by other programmes' caps.
  const open = () => {
    const covered = new Set(found(lines.join('\n')))
    return weights.filter((t) => !covered.has(t))
  }
  // A question in two parts ("幾案通過？滿意度如何？"): a part the lines so far leave open is answered
  // by the passage that holds most of that part.
  const used = new Set([main])
  const parts = (question.match(CLAUSES) ?? []).filter((c) => asksSomething(c))
  /** The line shown for a part of the question from another passage of the main one's programme that holds it. */
  const partLines = new Map<number, string>()
  if (parts.length >= 2) {
    const partWords = parts.map((part) => new Set(subjectTerms(part, stats).map((t) => t.forms[0])))
    for (const [k, part] of parts.entries()) {
      // What sets the part apart: its words, less the subject the main passage's title already names.
      const own = partWords[k]!
      const topic = new Set(found(main.hit.title))
      const partTerms = weights.filter((t) => own.has(t.forms[0]) && !topic.has(t))
      const shareOf = (terms: typeof weights) => (text: string) => {
        const total = terms.reduce((a, t) => a + t.weight, 0)
        return total === 0 ? 1 : found(text).filter((t) => terms.includes(t)).reduce((a, t) => a + t.weight, 0) / total
      }
      const share = shareOf(partTerms)
      // A later part speaks of the earlier part's subject ("期末成果書哪天交齊？交了之後由誰審？"): among
      // passages holding the part, the one that also names that subject answers it.
      const before = k > 0 ? partWords[k - 1]! : new Set<string>()
      const inherited = shareOf(weights.filter((t) => before.has(t.forms[0]) && !own.has(t.forms[0]) && !topic.has(t)))
      // A part is answered when the lines hold its words and the kind of fact it asks ("執行期多長？
      // 自籌款沒花足怎麼算？": the second part's words are all in a line on the subsidy share).
      const typeOpen = (text: string) => missingAnswerType(part, [text]) !== undefined
      if (lines.length >= 3 || (share(lines.join('\n')) >= 0.5 && !typeOpen(lines.join('\n')))) continue
      const candidates = scored.filter((x) => !used.has(x) && !(x.hit.documentId === main.hit.documentId && x.hit.headingPath.join('>') === main.hit.headingPath.join('>')))
      const holder = candidates
        .map((x) => {
          const text = `${x.hit.headingPath.join(' ')}\n${x.hit.card?.lead ?? ''}\n${x.hit.text}`
          return { x, share: share(text), rank: share(text) + INHERITED_SHARE * inherited(text), typed: !typeOpen(text) }
        })
        .filter((h) => h.share >= COVERAGE_THRESHOLD && h.typed)
        .sort((a, b) => b.rank - a.rank || b.share - a.share)[0]
      if (!holder) continue
      used.add(holder.x)
      const card = holder.x.hit.card
      const relevant = holder.x.units.map((u) => ({ text: u.text, score: scoreUnit(u.text, partTerms, wantsFigure) })).filter((u) => u.score > 0)
      const fromUnits = pick(relevant, EXTRA_BUDGET, false).chosen.map((i) => relevant[i]!.text).join('\n')
      // A section holding the part only in its heading ("執行期程：5個月") speaks through its card's lead;
      // with neither, it shows nothing (never a bare source mark).
      const text = card && (share(card.lead) >= 0.5 || !fromUnits) ? (english && card.lead_en ? card.lead_en : card.lead) : fromUnits
      if (!text) continue
      const n = citations.length + 1
      citations.push(citationOf(holder.x.hit, n))
      lines.push(`${text}〔${n}〕`)
      // The line answers for the part's kind of fact only from a passage on the main one's programme
      // (another's "最多八張" is no limit of this one), and only for a later part with a word of its own:
      // the first part is the main passage's to answer, and "各占幾分？" is about the part before.
      const onProgramme = holder.x.hit.documentId === main.hit.documentId || (main.hit.programme !== null && holder.x.hit.programme === main.hit.programme)
      const ownSubject = partTerms.some((t) => Array.from(t.forms[0]!).length >= 2)
      if (k >= 1 && ownSubject && onProgramme) partLines.set(k, lines.at(-1)!)
    }
  }
  for (const other of scored) {
    if (used.has(other)) continue
    const sameSection = other.hit.documentId === main.hit.documentId && other.hit.headingPath.join('>') === main.hit.headingPath.join('>')
    const best = other.units.reduce((a, b) => (b.score > a.score ? b : a), other.units[0] ?? { text: '', score: 0 })
    if (!best.text || sameSection) continue
    const n = citations.length + 1
    const openTerms = open()
    const openWeight = openTerms.reduce((a, t) => a + t.weight, 0)
    const total = weights.reduce((a, t) => a + t.weight, 0)
    const answersRest = found(`${other.hit.card?.lead ?? ''}\n${other.hit.text}`).filter((t) => openTerms.includes(t))
    const restWeight = answersRest.reduce((a, t) => a + t.weight, 0)
    const secondPart = openWeight >= total * SECOND_PART_SHARE && restWeight >= openWeight * 0.5 && best.score >= main.best * 0.4
    // A passage nearly as relevant as the main one may be the one that answers: shown briefly too.
    // Another programme's passage is no rival: beside the main one it would answer for the wrong programme.
    const otherProgramme = main.hit.programme !== null && other.hit.programme !== null && other.hit.programme !== main.hit.programme
    const rival = !otherProgramme && best.score >= main.best * RIVAL_SHARE
    const closeRival = !otherProgramme && best.score >= main.best * CLOSE_RIVAL_SHARE
    const shownText = (): string => {
      if (other.hit.card && (secondPart || (ASKS_LIST.test(question) && scoreUnit(other.hit.card.lead, weights, wantsFigure) >= best.score))) {
        return english && other.hit.card.lead_en ? other.hit.card.lead_en : other.hit.card.lead
      }
      const relevant = other.units.filter((u) => u.score > 0)
      return pick(relevant, EXTRA_BUDGET, false).chosen.map((i) => relevant[i]!.text).join('\n')
    }
    const text = (lines.length < 2 && rival) || (lines.length < 3 && (secondPart || closeRival)) ? shownText() : undefined
    // A passage saying again what is shown (the same result in the budget book's summary table) adds
    // only length: it waits behind 看更多 with the others.
    if (text !== undefined && !repeats(lines.join('\n'), text)) {
      citations.push(citationOf(other.hit, n))
      lines.push(`${text}〔${n}〕`)
    } else if (moreParts.join('\n').length < MORE_BUDGET) {
      citations.push(citationOf(other.hit, n))
      moreParts.push(`${other.units.map((u) => u.text).join('\n').slice(0, 400)}〔${n}〕`)
    }
  }

  const shown = citations.filter((c) => lines.some((l) => l.endsWith(`〔${c.n}〕`)))
  // What the user is shown (with its sources' titles and headings), the main passage behind 看更多
  // and its card's phrasings must carry the question's subject.
  const context = [...lines, main.hit.text, ...(main.hit.card?.asks ?? []), ...shown.map((c) => `${c.title} ${c.headingPath.join(' ')}`)]
  const coverage = coverageOf(question, context, stats)
  // The kind of fact asked for (an amount, a date…) must be in the main passage: a figure in a side
  // passage answers some other question. Years may be spread ("109年…？110年…？").
  const lead = [lines[0]!, `${main.hit.title} ${main.hit.headingPath.join(' ')}`]
  // The thing whose figure is asked ("租金多少") must be named somewhere: other figures of the
  // same topic answer another question.
  const mainContext = [...lines, main.hit.text, `${main.hit.title} ${main.hit.headingPath.join(' ')}`]
  // A section that leads only because it holds the kind of fact the better one lacks must name the
  // thing measured itself ("總經費是多少" is no question for a section's target of 32億元 in deals).
  const thing = main !== best ? measuredThing(question) : undefined
  const unnamed = thing !== undefined && coverageOf(thing, mainContext, stats).missing.length > 0 ? thing : undefined
  const measured = missingMeasuredThing(question, mainContext, stats) ?? unnamed
  // In a one-part question, the kind of fact asked must be in the sentences that speak of what is asked
  // ("資安支出要占合理比例" answers no "幾%", however many other shares the passage gives).
  // English questions are left out: their words match the Chinese sentences too loosely to tell which speaks of what.
  const typeApart = parts.length <= 1 && !english ? typeNotWhereAsked(question, mainSentences, weights) : undefined
  // The one year a one-part question names must be the main passage's: a side passage that only mentions
  // it ("108年將續改善系統" beside the 107 window) answers something else. Years may be spread over parts.
  const yearContext = parts.length <= 1 && namedYears(question).length === 1
    ? [lines[0]!, main.hit.text, `${main.hit.title} ${main.hit.headingPath.join(' ')}`]
    : [...lines, ...shown.map((c) => `${c.title} ${c.headingPath.join(' ')}`)]
  // The kind of fact asked must be in the main passage's lead, or — in a question of several parts — in
  // the line shown for the later part that asks it ("提升幾級？112年推動多少家次？").
  const typeLacking = missingAnswerTypes(question, lead).find((name) => ![...partLines].some(([k, line]) => answersType(parts[k]!, name, line)))
  const lacking =
    typeLacking ??
    missingYear(question, yearContext, now) ??
    missingPlace(question, context) ??
    missingChoice(question, lines) ??
    (onlyPlannedFigures(question, lines[0]!, main.hit.headingPath.at(-1)) ? 'outcome' : undefined) ??
    measured ??
    typeApart
  // Off our subject altogether, only a near-complete match counts (a passage may share a place name).
  const threshold = !asked.namesProgramme && !mentionsDomain(question) ? OFF_DOMAIN_THRESHOLD : descriptive ? DESCRIPTIVE_THRESHOLD : COVERAGE_THRESHOLD
  return {
    covered: coverage.ratio >= threshold && lacking === undefined,
    coverage,
    lacking: coverage.ratio >= threshold ? lacking : undefined,
    body: lines.join('\n'),
    citations,
    more: moreParts.length > 0 ? moreParts.join('\n\n').slice(0, MORE_BUDGET) : undefined,
  }
}

/** How much naming the earlier part's subject counts when choosing the passage for a later part. */
const INHERITED_SHARE = 0.5

/** A sentence sharing this much of its wording with the lead (Dice over character pairs) restates it. */
const RESTATE_SHARE = T.restate_share

/** Whether a sentence says again what the lead says: every figure of it in the lead, and most of its wording. */
function restates(lead: string, sentence: string): boolean {
  return figuresShown(sentence, lead) && phrasingSimilarity(lead, sentence) >= RESTATE_SHARE
}

/** Whether every figure of a text is in what is shown. */
function figuresShown(text: string, shown: string): boolean {
  return (text.match(/\d[\d,.]*/g) ?? []).every((f) => shown.includes(f))
}

const REPEAT_SHARE = T.repeat_share

/** Whether a passage's lines say again what is shown: every figure of them there, and most of their wording (share of their character pairs). */
function repeats(shown: string, text: string): boolean {
  if (!figuresShown(text, shown)) return false
  const own = grams(text)
  if (own.size === 0) return false
  const there = grams(shown)
  return [...own].filter((g) => there.has(g)).length / own.size >= REPEAT_SHARE
}

/** Sentences of a card's lead, and their clauses after ；(each states its own fact). */
const SENTENCES = /[^。！？；]+[。！？；]?/gu
/** A sentence this close to the best-matching one also speaks of what is asked. */
const ON_TOPIC_SHARE = T.on_topic_share

/** The kind of fact asked for (an amount, a date…), when none of the sentences that best match the question holds it. */
function typeNotWhereAsked(question: string, sentences: string[], weights: { forms: string[]; weight: number }[]): string | undefined {
  // A line that introduces a list ("…代表業務與比例如下：") states no fact of its own.
  const scored = sentences.filter((text) => !/[：:]$/u.test(text.trim())).map((text) => ({ text, score: scoreUnit(text, weights, false) }))
  const top = Math.max(0, ...scored.map((x) => x.score))
  if (top === 0) return undefined
  return missingAnswerType(question, scored.filter((x) => x.score >= top * ON_TOPIC_SHARE).map((x) => x.text))
}
