import { z } from 'zod'
import names from '../../knowledge/programme-names.json' with { type: 'json' }
import { englishExpansions, variantForm } from '../knowledge/expand.js'
import { normalize } from '../knowledge/text.js'
import { POLICY } from './policy.js'

const programmeNamesSchema = z.object({
  programmes: z.array(z.strictObject({ id: z.string().min(1), name: z.string().min(2), aliases: z.array(z.string().min(2)) })),
  generic: z.array(z.string().min(2)),
  other_agencies: z.array(z.string().min(2)).default([]),
  own_agencies: z.array(z.string().min(2)).default([]),
  not_held: z.array(z.string().min(2)).default([]),
  not_held_shares: z.array(z.string().min(2)).default([]),
})

export interface Programme {
  id: string
  name: string
  /** The name and aliases, normalised (lower case, half width) for matching. */
  forms: string[]
}

export type ProgrammeNames = z.input<typeof programmeNamesSchema>

/** The programmes the knowledge base holds, with every form of their names, and the generic plan words. */
export interface ProgrammeRegistry {
  programmes: Programme[]
  generic: Set<string>
  /** Every programme form, longest first, so "雲市集工業館" wins over "雲市集". */
  forms: { form: string; programme: Programme }[]
  /** Government bodies whose programmes the knowledge base does not hold. */
  otherAgencies: string[]
  /** The bodies running the programmes it holds, longest first: before a name, they are no part of it. */
  ownAgencies: string[]
  /** Programmes the documents mention but hold no facts on, longest first. */
  notHeld: string[]
  /** Words a not-held programme shares with a held one ("數位點數"): beside its name, they name it. */
  notHeldShares: string[]
}

export function programmeRegistry(input: unknown): ProgrammeRegistry {
  const data = programmeNamesSchema.parse(input)
  // A name is found in either writing of its variant characters ("南台灣…" for 南臺灣…).
  const withVariants = (forms: string[]) => [...new Set(forms.flatMap((f) => [f, variantForm(f) ?? f]))]
  const programmes = data.programmes.map((p) => ({ id: p.id, name: p.name, forms: withVariants([p.name, ...p.aliases].map(normalize)) }))
  const forms = programmes.flatMap((p) => p.forms.map((form) => ({ form, programme: p }))).sort((a, b) => b.form.length - a.form.length)
  const notHeld = data.not_held.map(normalize).sort((a, b) => b.length - a.length)
  return { programmes, generic: new Set(data.generic.map(normalize)), forms, otherAgencies: data.other_agencies.map(normalize), ownAgencies: data.own_agencies.map(normalize).sort((a, b) => b.length - a.length), notHeld, notHeldShares: data.not_held_shares.map(normalize) }
}

/** The knowledge base's own programmes (data: knowledge/programme-names.json). */
export const PROGRAMMES = programmeRegistry(names)

/** The programmes a text names, by their names and aliases. */
export function programmesNamed(text: string, registry: ProgrammeRegistry = PROGRAMMES): Programme[] {
  let hay = normalize(text)
  // "臺灣雲市集平台" is not 雲市集工業館: a programme the documents only mention keeps its words,
  // and the words the two share ("臺灣雲市集平台的數位點數").
  if (registry.notHeld.some((name) => hay.includes(name))) for (const word of [...registry.notHeld, ...registry.notHeldShares]) hay = hay.replaceAll(word, ' ')
  const found: Programme[] = []
  for (const { form, programme } of registry.forms) {
    if (!hay.includes(form)) continue
    if (!found.includes(programme)) found.push(programme)
    // A longer name's words are not matched again as a shorter alias of another programme.
    hay = hay.replaceAll(form, ' ')
  }
  return found
}

/** Whether a passage (title, headings, text) is about the programme or names it. */
export function passageIsAbout(passage: { programme: string | null; title: string; headingPath: string[]; text: string }, programme: Programme): boolean {
  if (passage.programme === programme.id) return true
  const hay = normalize(`${passage.title} ${passage.headingPath.join(' ')} ${passage.text}`)
  return programme.forms.some((f) => hay.includes(f))
}

/** Words a name may start with that are not part of it ("申請雲端計畫" → 雲端計畫). */
const LEADING_NOISE = /^(請問|想問|我想|我要|我們|我|問|申請|參加|加入|關於|有關|那個|這個|那|這|的|和|跟|與|及|或|去年|今年|明年|\d{2,4}年度?|年度|年|新的)+/u
/** The words that say what kind of thing a name is: a plan, or a subsidy. */
const PLAN_KIND = '計畫|計劃|方案'
const SUBSIDY_KIND = '補助款|補助|補貼|貸款|獎勵金'
const KIND_SUFFIX = new RegExp(`(${PLAN_KIND}|${SUBSIDY_KIND})$`, 'u')
const NAMED_PLAN = new RegExp(`([A-Za-z][A-Za-z0-9]{1,12}|\\p{Script=Han}{2,16})(${PLAN_KIND})(?![書主])`, 'gu')
/**
 * A name holds no particle or pronoun: the run of characters before 計畫 is cut after the last of
 * them ("中小企業處有那種青年創育坊的補助示範計畫" → 補助示範計畫, "之前政府是不是有計畫" → nothing,
 * "為什麼產業聚落計畫…" → 產業聚落計畫).
 */
const NAME_BREAK = /^.*[的是有在和跟與及或那這哪該其種個說掛屬要想做去用把對從麼到]/u

/**
 * The name a run before 計畫 may give: the run after its last particle, less the words a name may
 * start with and the office running it ("中小企業處一般行政計畫" → 一般行政).
 */
function nameIn(run: string, registry: ProgrammeRegistry): string {
  let name = run.replace(NAME_BREAK, '').replace(LEADING_NOISE, '')
  let agency: string | undefined
  while ((agency = registry.ownAgencies.find((a) => name.startsWith(a)))) name = name.slice(agency.length).replace(LEADING_NOISE, '')
  return name
}

/** Whether a name before its kind (計畫, 補助) names a kind of programme ("數位轉型計畫") rather than one. */
function namesAKind(name: string, kind: string, registry: ProgrammeRegistry): boolean {
  return Array.from(name).length < 2 || [...registry.generic].some((g) => normalize(`${name}${kind}`).endsWith(g)) || registry.generic.has(normalize(name))
}

/** How long a short form of a name may be ("技輔"): longer runs are names of their own. */
const SHORT_FORM_LONGEST = 4

/**
 * The held programme a short form names ("技輔計畫" for 中小企業即時技術輔導計畫): its characters,
 * in order, in one programme's full name and no other's. Chinese names are shortened by keeping
 * characters of their words, so no list of every short form is needed; a run the name holds whole
 * is one of its words instead, which other names share. Aliases are not searched: a
 * short form of 在地青年創育坊 (青創) means 青年創業 to most askers.
 */
export function shortFormOf(name: string, registry: ProgrammeRegistry = PROGRAMMES): Programme | undefined {
  const chars = Array.from(normalize(name))
  if (chars.length < 2 || chars.length > SHORT_FORM_LONGEST || !chars.every((c) => /\p{Script=Han}/u.test(c))) return undefined
  // A run the name holds as it stands (雲端, 智慧製造) is a word of it, not a short form.
  const holds = (full: string) => {
    if (full.includes(chars.join(''))) return false
    let at = 0
    for (const c of chars) if ((at = full.indexOf(c, at) + 1) === 0) return false
    return true
  }
  const matches = registry.programmes.filter((p) => holds(normalize(p.name.replace(KIND_SUFFIX, ''))))
  return matches.length === 1 ? matches[0] : undefined
}

/**
 * The text with each held programme called by a short form ("技輔計畫") written by its full name, so
 * that the question is read, searched and checked against passages as one that names it.
 */
export function withFullNames(text: string, registry: ProgrammeRegistry = PROGRAMMES): string {
  return text.replace(NAMED_PLAN, (whole: string, run: string, kind: string) => {
    if (programmesNamed(whole, registry).length > 0) return whole
    const name = nameIn(run, registry)
    const programme = !namesAKind(name, kind, registry) && !LOCAL.test(name) && !GENERIC_START.test(name) ? shortFormOf(name, registry) : undefined
    return programme ? `${run.slice(0, run.length - name.length)}${programme.name}` : whole
  })
}

/**
 * A programme the question names that the knowledge base does not hold ("SIIR計畫", "青年創業貸款方案"):
 * answering it from another programme's passages would be wrong.
 */
export function unknownProgrammeNamed(question: string, registry: ProgrammeRegistry = PROGRAMMES): string | undefined {
  if (programmesNamed(question, registry).length > 0) return undefined
  for (const m of question.matchAll(NAMED_PLAN)) {
    const name = nameIn(m[1]!, registry)
    const full = `${name}${m[2]}`
    // "台北市產業發展獎勵補助計畫": a county's or city's own programme, however generic the rest of its name.
    if (LOCAL.test(name)) return full
    // "…啟動數位轉型計畫": a kind of programme, whatever words lead up to it.
    if (namesAKind(name, m[2]!, registry)) continue
    // "數位轉型補助計畫", "什麼樣的計畫": a kind of programme, not a name.
    if (GENERIC_START.test(name) && !/[A-Za-z]/.test(name)) continue
    return full
  }
  // A subsidy is a programme too: one an agency runs ("數位發展部的資安健診補助"), whatever it is called, or
  // one named on its own ("商業服務業智慧減碳補助，每家店…"), then with a longer name.
  for (const [pattern, shortest] of [[AGENCY_SUBSIDY, 2], [NAMED_SUBSIDY, 4]] as const) {
    for (const m of question.matchAll(pattern)) {
      const name = nameIn(m[1]!, registry)
      if (Array.from(name).length < shortest || GENERIC_START.test(name) || [...registry.generic].some((g) => normalize(name).endsWith(g))) continue
      return `${name}${m[2]}`
    }
  }
  return undefined
}
/** A programme the documents mention but hold no facts on (`not_held`), named in the question. */
export function notHeldProgrammeNamed(question: string, registry: ProgrammeRegistry = PROGRAMMES): string | undefined {
  const hay = normalize(question)
  return registry.notHeld.find((n) => hay.includes(n))
}

/** Words that make a mention of an agency a question about its programmes. */
const PROGRAMME_WORDS = /補助|補貼|計畫|計劃|方案|貸款|獎勵|津貼/u

/**
 * An agency whose programmes the knowledge base does not hold, when the question asks about its
 * subsidies or programmes ("數位部那邊給中小企業的補助") and names none the knowledge base holds.
 */
export function otherAgencyAsked(question: string, registry: ProgrammeRegistry = PROGRAMMES): string | undefined {
  // An English question names the agency and the subsidy in English ("the Ministry of Culture's grant").
  const text = `${question} ${englishExpansions(question).join(' ')}`
  if (!PROGRAMME_WORDS.test(text) || programmesNamed(question, registry).length > 0) return undefined
  const hay = normalize(text)
  return localGovernmentAsked(question, registry) ?? registry.otherAgencies.find((a) => hay.includes(a))
}

/**
 * A city or county government named with its place ("台中市政府自己有沒有補助"): that one's own
 * programmes, which no passage here describes, whatever the subsidy is called.
 */
export function localGovernmentAsked(question: string, registry: ProgrammeRegistry = PROGRAMMES): string | undefined {
  if (!PROGRAMME_WORDS.test(question) || programmesNamed(question, registry).length > 0) return undefined
  const hay = normalize(question)
  const local = registry.otherAgencies.filter((a) => LOCAL_GOVERNMENT.test(a))
  return local.length > 0 ? new RegExp(`(?:${PLACE_FORMS.join('|')})[市縣]?(?:${local.join('|')})`, 'u').exec(hay)?.[0] : undefined
}
/** Local governments: named with their place when the question gives it. */
const LOCAL_GOVERNMENT = /^[縣市](政府|府)$/u

/** A subsidy named on its own, standing as a noun phrase ("…智慧減碳補助，"), not "補助比例". */
const NAMED_SUBSIDY = /(\p{Script=Han}{4,12})(補助|補貼)(?=[，,。？?、！!\s]|$|要(什麼|哪些|怎麼|如何)|怎麼|如何|有哪些|是什麼)/gu
/** An agency (…部, …署, …司, …局, …處, …會) and the subsidy it runs. */
const AGENCY_SUBSIDY = new RegExp(`\\p{Script=Han}{1,8}(?:部|署|司|局|處|委員會)的?(\\p{Script=Han}{2,14}?)(${SUBSIDY_KIND})`, 'gu')

/**
 * The forms a programme's name takes in a passage: the name without its kind ("CITD傳統產業技術開發計畫"
 * → 傳統產業技術開發), and the acronyms the question gives it (CITD).
 */
export function nameForms(name: string, question: string): string[] {
  return [normalize(name.replace(KIND_SUFFIX, '')), ...(question.match(/\b[A-Z][A-Za-z]{1,9}\b|[A-Z]{2,10}/g) ?? []).map(normalize)]
}
/** A name that starts with a county or city (data: the answer policy's places), in either writing of 台/臺. */
const PLACE_FORMS = [...POLICY.places].flatMap((p) => [normalize(p), normalize(variantForm(p) ?? p)])
const LOCAL = new RegExp(`^(${PLACE_FORMS.join('|')})`, 'u')
/** Words a kind of programme starts with ("數位轉型補助計畫", "什麼樣的計畫"): not a name. */
const GENERIC_START = /^(什麼|甚麼|哪|這|那|各|其他|相關|政府|補助|輔導|數位|轉型|推動|執行|年度|新|內部|對內|外部|對外)/u
