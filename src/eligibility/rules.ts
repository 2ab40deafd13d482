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
export const choiceFacts = ['industry', 'factory', 'registration'] as const
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
  })
  .refine((t) => (t.allowed === undefined) !== (t.forbidden === undefined), 'give either allowed or forbidden')
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

const anyOfSchema = z.strictObject({ kind: z.literal('any-of'), of: z.array(thresholdSchema).min(2) })
export type AnyOfTest = z.infer<typeof anyOfSchema>

export const testSchema = z.discriminatedUnion('kind', [thresholdSchema, oneOfSchema, flagSchema, fundingSchema, checkSchema, anyOfSchema])
export type RuleTest = z.infer<typeof testSchema>

const sourceSchema = z.strictObject({
  /** The knowledge document (knowledge/…/*.md front-matter id) that restates this rule. */
  document: id,
  seed: z.string().regex(/^\d{3}$/),
  section: z.string().min(2),
})
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

const programmeSchema = z.strictObject({
  id,
  name: z.string().min(2),
  short_name: z.string().min(2),
  aliases: z.array(z.string().min(1)).min(1),
  document: id,
  /** No dates: not announced in the documents. */
  window: z.strictObject({ opens: isoDate.optional(), closes: isoDate.optional(), wording: z.string().min(2), source: sourceSchema }),
  tracks: z.array(trackSchema).min(1),
  rules: z.array(ruleSchema).min(1),
})
export type Programme = z.infer<typeof programmeSchema>

export const programmeRulesSchema = z
  .strictObject({
    version: z.string().min(1),
    funding_schemes: z.array(z.strictObject({ id, name: z.string().min(2), aliases: z.array(z.string().min(1)).min(1) })),
    programmes: z.array(programmeSchema).min(1),
  })
  .superRefine((data, ctx) => {
    const schemes = new Set(data.funding_schemes.map((s) => s.id))
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
