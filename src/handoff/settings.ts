import { z } from 'zod'
import { parseDataFile } from '../data-file.js'

/**
 * The handoff settings as data (knowledge/handoff/handoff.yaml): office hours, the response target,
 * the overdue policy, trigger words, assignment rules, notification targets and the consultants'
 * canned replies. Validated when the bot starts.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
export type Weekday = (typeof WEEKDAYS)[number]

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time like "09:00"')
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like "2027-01-01"')
/** YAML leaves `key:` with no value as null: that means "not configured". */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === null || v === '' ? undefined : v), schema.optional())

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const officeHours = z
  .strictObject({
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Taipei'),
    days: z.array(z.enum(WEEKDAYS)).min(1),
    open: clock,
    close: clock,
    holidays: z.array(isoDate).nullish().transform((v) => v ?? []),
  })
  .refine((h) => h.open < h.close, { message: 'open must be earlier than close', path: ['close'] })

const assignmentRule = z.strictObject({
  name: z.string().min(1),
  /** Case attributes this rule applies to; an empty or missing list matches any value. */
  when: z
    .strictObject({ regions: z.array(z.string().min(1)).optional(), industries: z.array(z.string().min(1)).optional() })
    .nullish()
    .transform((w) => ({ regions: w?.regions ?? [], industries: w?.industries ?? [] })),
  /** Consultant usernames; empty: any consultant whose own regions and industries fit. */
  consultants: z.array(z.string().min(1)).nullish().transform((v) => (v ?? []).map((u) => u.toLowerCase())),
})

export const handoffSettingsSchema = z.strictObject({
  office_hours: officeHours,
  response_target_hours: z.number().positive().max(24 * 7),
  overdue: z.strictObject({ renotify_every_minutes: z.number().int().min(5) }),
  triggers: z.array(z.string().min(2)).min(1),
  end_words: z.array(z.string().min(2)).min(1),
  offer_after_unanswered: z.number().int().min(1).max(10),
  assignment: z.strictObject({ rules: z.array(assignmentRule).default([]) }),
  notify: z
    .strictObject({
      line_group_id: optional(z.string().regex(/^[CR][0-9a-f]{32}$/, 'a LINE group id (C followed by 32 hex digits)')),
      webhook_url: optional(z.url({ protocol: /^https?$/ })),
    })
    .nullish()
    .transform((n) => ({ lineGroupId: n?.line_group_id, webhookUrl: n?.webhook_url })),
  canned_replies: z.array(z.strictObject({ title: z.string().min(1).max(20), text: z.string().min(1).max(5000) })).default([]),
})

export type HandoffSettings = z.infer<typeof handoffSettingsSchema>
export type OfficeHours = HandoffSettings['office_hours']
export type AssignmentRule = HandoffSettings['assignment']['rules'][number]

/** Parses and validates the file; a DataFileError names the file and each bad field. */
export function parseHandoffSettings(text: string, file: string): HandoffSettings {
  return parseDataFile(handoffSettingsSchema, text, file)
}
