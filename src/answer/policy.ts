import { z } from 'zod'
import policyJson from '../../knowledge/answer-policy.json' with { type: 'json' }

/** A regular expression written as data; it must compile. */
const pattern = z
  .strictObject({ pattern: z.string().min(1), flags: z.string().regex(/^[gimsuy]*$/).optional() })
  .transform((p, ctx) => {
    try {
      return new RegExp(p.pattern, p.flags)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(error as Error).message}` })
      return z.NEVER
    }
  })
const threshold = z.strictObject({ value: z.number().min(0).max(1), why: z.string().min(3) })
const words = z.strictObject({ why: z.string(), words: z.string().min(1) }).transform((w) => new Set(w.words.split(/\s+/).filter(Boolean)))

export const answerPolicySchema = z.object({
  thresholds: z.strictObject({
    coverage: threshold,
    descriptive: threshold,
    off_domain: threshold,
    out_of_scope: threshold,
    context_factor: threshold,
    story_share: threshold,
    unseen_weight: threshold,
    asked_weight: threshold,
    context_weight: threshold,
    lead_weight: threshold,
    second_part_share: threshold,
    rival_share: threshold,
    close_rival_share: threshold,
    on_topic_share: threshold,
    restate_share: threshold,
    repeat_share: threshold,
    one_year_share: threshold,
    narrower_share: threshold,
    overview_share: threshold,
  }),
  budgets: z.object({ answer: z.number().int().positive(), detail: z.number().int().positive(), extra: z.number().int().positive(), more: z.number().int().positive() }),
  stop_words_zh: words,
  stop_words_en: words,
  answer_types: z.array(z.strictObject({ name: z.string().min(1), why: z.string(), asks: pattern, needs: pattern })).min(1),
  places: words,
  planned_figures: z.strictObject({ why: z.string(), asks: pattern, planned: pattern, actual: pattern }),
  overview: z.strictObject({ why: z.string(), asks: pattern, sections: pattern }),
  combination: z.strictObject({ why: z.string(), asks: pattern }),
  subsidised_thing: z.strictObject({ why: z.string(), asks: pattern }),
  reported_speech: z.strictObject({ why: z.string(), pattern }),
  asides: z.strictObject({ why: z.string(), pattern }),
  outside_topics: z.strictObject({
    why: z.string(),
    topics: z.array(z.strictObject({ name: z.string().min(1), name_en: z.string().min(1), asks: pattern, refer: z.string().min(2), refer_en: z.string().min(2) })),
  }),
})

export type AnswerPolicy = z.output<typeof answerPolicySchema>

/** Parses the answer policy; an error names the field (thresholds.coverage.value, answer_types.3.asks…). */
export function parseAnswerPolicy(input: unknown, file = 'answer-policy.json'): AnswerPolicy {
  const parsed = answerPolicySchema.safeParse(input)
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** The answer policy in force (data: knowledge/answer-policy.json), validated at start. */
export const POLICY = parseAnswerPolicy(policyJson)
/** The thresholds by name, as numbers. */
export const T = Object.fromEntries(Object.entries(POLICY.thresholds).map(([k, v]) => [k, v.value])) as { [K in keyof AnswerPolicy['thresholds']]: number }
