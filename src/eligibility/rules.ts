import { parseDataFile } from '../data-file.js'
import { z } from 'zod'

/**
 * Programme eligibility rules as data (knowledge/rules/programmes.yaml): thresholds with the
 * documents' own comparison words, allowed values, flags, double-funding bans and manual checks,
 * each with its wording, a plain explanation and its source.
 */

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase ascii kebab-case')

/** 以下 ≤ · 未滿 < · 超過 > · 以上 ≥ — exactly as the documents word the boundary. */
export const comparisonSchema = z.enum(['以下', '未滿', '超過', '以上'])
export type Comparison = z.infer<typeof comparisonSchema>

export const amountFacts = ['employees', 'capital', 'revenue'] as const
export type AmountFact = (typeof amountFacts)[number]
export const choiceFacts = ['industry', 'factory', 'registration', 'region'] as const
export type ChoiceFact = (typeof choiceFacts)[number]
export const flagFacts = ['midsize', 'chineseInvestment', 'positiveNetWorth'] as const
export type FlagFact = (typeof flagFacts)[number]

const thresholdSchema = z.strictObject({
  kind: z.literal('threshold'),
  fact: z.enum(amountFacts),
  comparison: comparisonSchema,
  value: z.number().int().nonnegative(),
  /** 中堅企業 get another threshold (e.g. 100億元以下 instead of 30億元以下). */
  midsize: z.strictObject({ comparison: comparisonSchema, value: z.number().int().nonnegative() }).optional(),
})
export type ThresholdTest = z.infer<typeof thresholdSchema>

const oneOfSchema = z
  .strictObject({
    kind: z.literal('one-of'),
    fact: z.enum(choiceFacts),
    allowed: z.array(z.string().min(1)).min(1).optional(),
    forbidden: z.array(z.string().min(1)).min(1).optional(),
    /** Values the documents leave open: the answer is "needs checking". */
    unclear: z.array(z.string().min(1)).optional(),
    /** What the documents then ask of a firm with an allowed value (免辦工廠登記 → attach the authority's certificate). */
    provided: z.record(z.string().min(1), z.string().min(1)).optional(),
  })
  .refine((t) => (t.allowed === undefined) !== (t.forbidden === undefined), 'give either allowed or forbidden')
  .refine((t) => Object.keys(t.provided ?? {}).every((v) => t.allowed?.includes(v)), 'provided: only for allowed values')
export type OneOfTest = z.infer<typeof oneOfSchema>

const flagSchema = z.strictObject({ kind: z.literal('flag'), fact: z.enum(flagFacts), expect: z.boolean() })
export type FlagTest = z.infer<typeof flagSchema>

const fundingSchema = z.strictObject({
  kind: z.literal('funding'),
  banned: z.array(id).min(1),
  except: z.array(id).default([]),
  /** A prior grant the rule names neither as banned nor as excepted: fine (pass) or to be checked (unknown). */
  unlisted: z.enum(['pass', 'unknown']),
})
export type FundingTest = z.infer<typeof fundingSchema>

/** A requirement only the applicant can confirm (a report, a successor): answered by a yes/no fact when given. */
const checkSchema = z.strictObject({ kind: z.literal('check'), fact: z.string().regex(/^[a-zA-Z]+$/) })
export type CheckTest = z.infer<typeof checkSchema>

/**
 * The documents state no criterion of this kind (who may apply, size…): the programme cannot be
 * called eligible, only "needs checking", and `explain` says why and whom to ask.
 */
const unstatedSchema = z.strictObject({ kind: z.literal('unstated') })
export type UnstatedTest = z.infer<typeof unstatedSchema>

const anyOfSchema = z.strictObject({ kind: z.literal('any-of'), of: z.array(thresholdSchema).min(2) })
export type AnyOfTest = z.infer<typeof anyOfSchema>

export const testSchema = z.discriminatedUnion('kind', [thresholdSchema, oneOfSchema, flagSchema, fundingSchema, checkSchema, anyOfSchema, unstatedSchema])
export type RuleTest = z.infer<typeof testSchema>

const sourceSchema = z
  .strictObject({
    /** The knowledge document (knowledge/…/*.md front-matter id) that restates this rule. */
    document: id,
    /** The numbered source document (knowledge/sources.json) — or, for a programme published in the console, */
    seed: z.string().regex(/^\d{3}$/).optional(),
    /** the name of the announcement it comes from. */
    name: z.string().min(2).optional(),
    section: z.string().min(2),
  })
  .refine((s) => s.seed !== undefined || s.name !== undefined, 'give the source document: seed or name')
export type RuleSource = z.infer<typeof sourceSchema>

const ruleSchema = z.strictObject({
  id,
  label: z.string().min(2),
  test: testSchema,
  wording: z.string().min(2),
  explain: z.string().min(2),
  source: sourceSchema,
  /** Another passage of the seeds words the rule differently. */
  alternative: z.strictObject({ test: testSchema, wording: z.string().min(2), source: sourceSchema }).optional(),
  conflict: z.string().min(2).optional(),
})
export type Rule = z.infer<typeof ruleSchema>

const isoDate = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : v
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: `expected YYYY-MM-DD, got "${s}"` })
    return z.NEVER
  }
  return s
})

const trackSchema = z.strictObject({
  id,
  name: z.string().min(2),
  aliases: z.array(z.string().min(1)).default([]),
  benefit: z.string().min(2),
  rules: z.array(ruleSchema).default([]),
})
export type Track = z.infer<typeof trackSchema>

/** What a firm gets: money, expert help, a service it can use, a prize, or financing. */
export const programmeKinds = ['subsidy', 'assistance', 'service', 'award', 'financing'] as const

export const programmeSchema = z.strictObject({
  id,
  name: z.string().min(2),
  kind: z.enum(programmeKinds).default('subsidy'),
  /**
   * open-ended: a standing service with no application window (a hotline, a guarantee fund);
   * planned: described in a plan for coming years, not yet open for applications.
   */
  status: z.enum(['windowed', 'open-ended', 'planned']).default('windowed'),
  /** One line on what the firm gets and what it is for, shown with a recommendation. */
  summary: z.string().min(2).optional(),
  short_name: z.string().min(2),
  aliases: z.array(z.string().min(1)).min(1),
  document: id,
  /** No dates: not announced in the documents. */
  window: z.strictObject({ opens: isoDate.optional(), closes: isoDate.optional(), wording: z.string().min(2), source: sourceSchema }),
  tracks: z.array(trackSchema).min(1),
  rules: z.array(ruleSchema).min(1),
})
export type Programme = z.infer<typeof programmeSchema>

/**
 * A programme's rules carried by its own knowledge document (front-matter `eligibility`), as PMO
 * staff publish them from the console: id and document default to the document's.
 */
export const documentProgrammeSchema = programmeSchema.partial({ id: true, document: true })
export type DocumentProgramme = z.infer<typeof documentProgrammeSchema>

/**
 * The rules in force: the rules file, with the programmes published in documents added (or, for the
 * same id, replacing the file's). Validated together, so a document naming an unknown industry or
 * funding scheme is refused with the field named.
 */
export function withPublishedProgrammes(base: ProgrammeRules, published: Programme[]): ProgrammeRules {
  if (published.length === 0) return base
  const ids = new Set(published.map((p) => p.id))
  return programmeRulesSchema.parse({ ...base, programmes: [...base.programmes.filter((p) => !ids.has(p.id)), ...published] })
}

/** Kinds of business, with the everyday words owners use for them (the extractor reads these). */
const industrySchema = z.strictObject({
  id,
  name: z.string().min(2),
  words: z.array(z.string().min(1)).min(1),
  /** Regular expressions for words that need context ("食品廠" but not "廠商"), checked at start. */
  patterns: z
    .array(
      z.string().refine((v) => {
        try {
          new RegExp(v)
          return true
        } catch {
          return false
        }
      }, 'not a valid regular expression'),
    )
    .default([]),
  /** A broader kind this one belongs to (food-lodging → services), so a rule may name either. */
  within: id.optional(),
})
export type Industry = z.infer<typeof industrySchema>

/**
 * The question that settles a fact a recommendation is waiting on, asked with quick replies. Each
 * option `says` what the user's tap sends, in words the extractor reads ("有工廠登記").
 */
const settlingQuestionSchema = z.strictObject({
  ask: z.string().min(2),
  options: z
    .array(z.strictObject({ label: z.string().min(1).max(20, 'LINE quick-reply labels hold at most 20 characters'), says: z.string().min(1).max(20) }))
    .min(2)
    .max(5),
})
export type SettlingQuestion = z.infer<typeof settlingQuestionSchema>

export const programmeRulesSchema = z
  .strictObject({
    version: z.string().min(1),
    industries: z.array(industrySchema).default([]),
    /** By fact (factory, registration, chineseInvestment…). */
    questions: z.record(z.string(), settlingQuestionSchema).default({}),
    /** Made-up firms in an owner's words, for the console's "who would be eligible" preview of new rules. */
    sample_firms: z.array(z.strictObject({ name: z.string().min(2), says: z.string().min(4) })).default([]),
    funding_schemes: z.array(z.strictObject({ id, name: z.string().min(2), aliases: z.array(z.string().min(1)).min(1) })),
    programmes: z.array(programmeSchema).min(1),
  })
  .superRefine((data, ctx) => {
    const schemes = new Set(data.funding_schemes.map((s) => s.id))
    const industries = new Set(data.industries.map((i) => i.id))
    data.industries.forEach((i, ii) => {
      if (i.within && !industries.has(i.within)) ctx.addIssue({ code: 'custom', path: ['industries', ii, 'within'], message: `unknown industry "${i.within}"` })
    })
    const programmes = new Set<string>()
    data.programmes.forEach((p, pi) => {
      if (programmes.has(p.id)) ctx.addIssue({ code: 'custom', path: ['programmes', pi, 'id'], message: `duplicate programme id "${p.id}"` })
      programmes.add(p.id)
      const allRules = [...p.rules.map((r, ri) => ({ r, path: ['programmes', pi, 'rules', ri] as (string | number)[] })), ...p.tracks.flatMap((t, ti) => t.rules.map((r, ri) => ({ r, path: ['programmes', pi, 'tracks', ti, 'rules', ri] as (string | number)[] })))]
      const seen = new Set<string>()
      for (const { r, path } of allRules) {
        if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `duplicate rule id "${r.id}" in ${p.id}` })
        seen.add(r.id)
        if (r.alternative && !r.conflict) ctx.addIssue({ code: 'custom', path: [...path, 'conflict'], message: 'a rule with an alternative reading must say what the conflict is' })
        for (const test of [r.test, r.alternative?.test]) {
          if (test?.kind === 'one-of' && test.fact === 'industry' && industries.size > 0) {
            for (const v of [...(test.allowed ?? []), ...(test.forbidden ?? []), ...(test.unclear ?? [])]) {
              if (!industries.has(v)) ctx.addIssue({ code: 'custom', path: [...path, 'test'], message: `unknown industry "${v}" (see industries)` })
            }
          }
          if (test?.kind !== 'funding') continue
          for (const s of [...test.banned, ...test.except]) {
            if (!schemes.has(s)) ctx.addIssue({ code: 'custom', path: [...path, 'test'], message: `unknown funding scheme "${s}"` })
          }
        }
      }
      const trackIds = new Set<string>()
      p.tracks.forEach((t, ti) => {
        if (trackIds.has(t.id)) ctx.addIssue({ code: 'custom', path: ['programmes', pi, 'tracks', ti, 'id'], message: `duplicate track id "${t.id}"` })
        trackIds.add(t.id)
      })
      if (p.status !== 'windowed' && p.window.opens !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['programmes', pi, 'window'], message: `a ${p.status} programme has no application dates` })
      }
      if ((p.window.opens === undefined) !== (p.window.closes === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['programmes', pi, 'window'], message: 'give both opens and closes, or neither' })
      }
    })
  })
export type ProgrammeRules = z.infer<typeof programmeRulesSchema>

/** Parses and validates the file; a DataFileError names the file and each bad field. */
export function parseProgrammeRules(text: string, file = 'programmes.yaml'): ProgrammeRules {
  return parseDataFile(programmeRulesSchema, text, file)
}
