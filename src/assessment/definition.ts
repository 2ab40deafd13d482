import { parseDataFile } from '../data-file.js'
import { z } from 'zod'

/**
 * The quick assessment as data (knowledge/assessment/quick-assessment.yaml): the company profile, one
 * question per business function on the seeds' 5-level scale, free-text aliases, the ten tool
 * categories and which of them lift each function a level. Validated when the bot starts.
 */

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase ascii kebab-case')
/** LINE shows at most 20 characters on a quick-reply button. */
const QUICK_REPLY_LABEL_MAX = 20
/** Function options are shown as "① label". */
const LEVEL_LABEL_MAX = QUICK_REPLY_LABEL_MAX - 2

const aliases = z.array(z.union([z.string().min(1), z.number()]).transform(String)).default([])
const level = z.number().int().min(1).max(5)

const choiceOption = z.strictObject({ value: id, label: z.string().min(1).max(QUICK_REPLY_LABEL_MAX), aliases })
const amountOption = z.strictObject({
  value: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string().min(1).max(QUICK_REPLY_LABEL_MAX),
  min: z.number().int().nonnegative(),
  /** Omitted: no upper bound. Both ends are included. */
  max: z.number().int().nonnegative().optional(),
  aliases,
})

/** Asked only of firms whose industry answer is one of these (the industry option values); all when absent. */
const onlyFor = z.array(id).min(1).optional()

const choiceQuestion = z.strictObject({
  id,
  kind: z.literal('choice'),
  fact: z.enum(['industry', 'factory', 'region']),
  short: z.string().min(1),
  question: z.string().min(2),
  only_for: onlyFor,
  options: z.array(choiceOption).min(2).max(9),
})
const amountQuestion = z.strictObject({
  id,
  kind: z.literal('amount'),
  unit: z.enum(['people', 'money']),
  fact: z.enum(['employees', 'capital', 'revenue']),
  short: z.string().min(1),
  question: z.string().min(2),
  only_for: onlyFor,
  options: z.array(amountOption).min(2).max(9),
})
export const profileQuestionSchema = z.discriminatedUnion('kind', [choiceQuestion, amountQuestion])
export type ProfileQuestion = z.infer<typeof profileQuestionSchema>
export type ChoiceQuestion = z.infer<typeof choiceQuestion>
export type AmountQuestion = z.infer<typeof amountQuestion>

const levelKeys = z.enum(['1', '2', '3', '4'])
const functionQuestion = z.strictObject({
  id,
  name: z.string().min(2),
  question: z.string().min(2),
  options: z.array(z.strictObject({ level, label: z.string().min(1).max(LEVEL_LABEL_MAX), aliases })).length(5),
  /** Tool categories that lift this function from level N to N+1 (none at level 5). */
  tools: z.record(levelKeys, z.array(id).min(1)),
  /** The question and option labels in a kind of business's own words (keys: industry option values). */
  by_industry: z
    .record(
      id,
      z.strictObject({
        question: z.string().min(2).optional(),
        case_query: z.string().min(2).optional(),
        labels: z.record(z.enum(['1', '2', '3', '4', '5']), z.string().min(1).max(LEVEL_LABEL_MAX)).optional(),
      }),
    )
    .default({}),
  /** What the documents' survey says of this function, per comparison group (keys: survey_groups ids). */
  survey: z.record(id, z.string().min(2)).default({}),
  /** Asked to the knowledge base by "看類似案例". */
  case_query: z.string().min(2),
})
export type FunctionQuestion = z.infer<typeof functionQuestion>

const toolCategory = z.strictObject({ id, name: z.string().min(2), english: z.string().min(2), definition: z.string().min(2), examples: z.array(z.string().min(1)).min(1) })
export type ToolCategory = z.infer<typeof toolCategory>

export const definitionSchema = z
  .strictObject({
    id,
    version: z.string().min(1).max(40),
    title: z.string().min(2),
    expires_after_days: z.number().int().positive(),
    min_answered_for_overall: z.number().int().positive(),
    triggers: z.array(z.string().min(2)).min(1),
    overall_rule: z.string().min(2),
    levels: z.array(z.strictObject({ level, name: z.string().min(1), seed_wording: z.string().min(2), description: z.string().min(2) })).length(5),
    levels_source: z.string().min(2),
    /** The knowledge document restating the levels (cited on the result). */
    levels_document: id,
    level_aliases: z.record(z.enum(['1', '2', '3', '4', '5']), aliases),
    tool_categories: z.array(toolCategory).length(10),
    tool_categories_source: z.string().min(2),
    tool_categories_document: id,
    profile: z.array(profileQuestionSchema).min(1),
    functions: z.array(functionQuestion).min(7),
    /**
     * The groups the documents' survey reports on (e.g. 50 人以下製造業): a firm is compared only with
     * the group of its own kind and size, or with none.
     */
    survey_groups: z
      .array(z.strictObject({ id, name: z.string().min(2), industries: z.array(id).min(1), max_employees: z.number().int().positive().optional() }))
      .default([]),
  })
  .superRefine((d, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message })
    d.levels.forEach((l, i) => l.level !== i + 1 && issue(['levels', i, 'level'], `levels must be 1 to 5 in order`))
    const ids = new Set<string>()
    for (const [section, list] of [['profile', d.profile], ['functions', d.functions]] as const) {
      list.forEach((q, i) => {
        if (ids.has(q.id)) issue([section, i, 'id'], `duplicate question id "${q.id}"`)
        ids.add(q.id)
      })
    }
    const tools = new Set(d.tool_categories.map((t) => t.id))
    d.functions.forEach((f, i) => {
      f.options.forEach((o, j) => o.level !== j + 1 && issue(['functions', i, 'options', j, 'level'], 'options must be levels 1 to 5 in order'))
      for (const [lv, list] of Object.entries(f.tools)) for (const t of list) if (!tools.has(t)) issue(['functions', i, 'tools', lv], `unknown tool category "${t}"`)
    })
    const industries = new Set(d.profile.find((q) => q.fact === 'industry')?.options.map((o) => o.value) ?? [])
    const groups = new Set(d.survey_groups.map((g) => g.id))
    d.survey_groups.forEach((g, i) => g.industries.forEach((v) => !industries.has(v) && issue(['survey_groups', i, 'industries'], `unknown industry option "${v}"`)))
    d.functions.forEach((f, i) => {
      for (const k of Object.keys(f.by_industry)) if (!industries.has(k)) issue(['functions', i, 'by_industry', k], `unknown industry option "${k}"`)
      for (const k of Object.keys(f.survey)) if (!groups.has(k)) issue(['functions', i, 'survey', k], `unknown survey group "${k}"`)
    })
    d.profile.forEach((q, i) => {
      for (const v of q.only_for ?? []) if (!industries.has(v)) issue(['profile', i, 'only_for'], `unknown industry option "${v}"`)
      const values = new Set<string>()
      q.options.forEach((o, j) => {
        if (values.has(o.value)) issue(['profile', i, 'options', j, 'value'], `duplicate option value "${o.value}"`)
        values.add(o.value)
      })
      if (q.kind === 'amount') {
        q.options.forEach((o, j) => o.max !== undefined && o.max < o.min && issue(['profile', i, 'options', j, 'max'], 'max is below min'))
      }
    })
  })
export type AssessmentDefinition = z.infer<typeof definitionSchema>

/** Parses and validates the file; a DataFileError names the file and each bad field. */
export function parseDefinition(text: string, file = 'quick-assessment.yaml'): AssessmentDefinition {
  return parseDataFile(definitionSchema, text, file)
}

/** The questions in the order they are asked: the profile first, then the business functions. */
export type Question = { section: 'profile'; q: ProfileQuestion } | { section: 'function'; q: FunctionQuestion }

export function questionsOf(d: AssessmentDefinition): Question[] {
  return [...d.profile.map((q) => ({ section: 'profile' as const, q })), ...d.functions.map((q) => ({ section: 'function' as const, q }))]
}

/**
 * Why an edit needs a new `version`, or undefined: open assessments are carried over to edited
 * questions when the version changes (see realign in flow.ts), so questions or options that change
 * under the same version would leave them pointing at the wrong question.
 */
export function versionNeededFor(before: AssessmentDefinition, after: AssessmentDefinition): string | undefined {
  if (before.version !== after.version) return undefined
  const shape = (d: AssessmentDefinition) => JSON.stringify(questionsOf(d).map(({ q }) => [q.id, q.options.map((o) => ('value' in o ? o.value : o.level))]))
  if (shape(before) === shape(after)) return undefined
  return `題目或選項有變動，但 version 還是「${after.version}」：請把 version 改成新的值（例如「${after.version}-2」）。進行中的評測會依 version 得知題目已更新，保留仍適用的答案，從第一個未答的題目接續。`
}

/** The firm's industry option, from the answers so far (undefined: not answered or skipped). */
export function industryOf(d: AssessmentDefinition, answers: Record<string, unknown>): string | undefined {
  const q = d.profile.find((p) => p.fact === 'industry')
  const a = q ? answers[q.id] : undefined
  return a && typeof a === 'object' && 'option' in a ? String((a as { option: unknown }).option) : undefined
}

/** Whether a question is asked of this firm: a factory question is not put to a restaurant. */
export function applies(d: AssessmentDefinition, question: Question, answers: Record<string, unknown>): boolean {
  if (question.section !== 'profile' || !question.q.only_for) return true
  const industry = industryOf(d, answers)
  return industry === undefined || question.q.only_for.includes(industry)
}

/** The question and its option labels as this kind of firm is asked them. */
export function wordingFor(
  d: AssessmentDefinition,
  question: Question,
  answers: Record<string, unknown>,
): { question: string; label: (level: number, fallback: string) => string; caseQuery?: string } {
  const industry = industryOf(d, answers)
  const own = question.section === 'function' && industry ? question.q.by_industry[industry] : undefined
  return {
    question: own?.question ?? question.q.question,
    label: (level, fallback) => own?.labels?.[String(level) as '1'] ?? fallback,
    caseQuery: own?.case_query ?? (question.section === 'function' ? question.q.case_query : undefined),
  }
}

/**
 * The survey line to compare a firm with: only from the group of its own kind and size that the
 * documents report on (a 80-person factory is not compared with 50 人以下製造業), else none.
 */
export function surveyFor(d: AssessmentDefinition, f: FunctionQuestion, industry: string | undefined, employees: { min: number; max: number | null } | undefined): string | undefined {
  if (!industry) return undefined
  const group = d.survey_groups.find((g) => g.industries.includes(industry) && (g.max_employees === undefined || (employees !== undefined && employees.max !== null && employees.max <= g.max_employees)))
  return group ? f.survey[group.id] : undefined
}
