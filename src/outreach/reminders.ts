import { z } from 'zod'
import { postbackItem, text } from '../chat/messages.js'
import { rocDate } from '../answer/windows.js'
import { parseDataFile } from '../data-file.js'
import type { Db } from '../db/types.js'
import type { ProgrammeRules } from '../eligibility/rules.js'
import type { Logger } from '../log.js'
import { createCampaign } from './campaigns.js'
import { outreachCopy as c } from './copy.js'

/**
 * Deadline reminders (knowledge/outreach/reminders.yaml): N days before a programme's application
 * window closes, one campaign to the users subscribed to 截止前提醒 whose firm may apply. The
 * campaign's key (programme and closing date) is unique in the database, so two instances — or
 * a Node timer and a Workers cron — make it once, and the campaign engine sends it once.
 */

export const reminderSettingsSchema = z.strictObject({ days_before: z.number().int().min(1).max(60) })
export type ReminderSettings = z.output<typeof reminderSettingsSchema>

export function parseReminderSettings(text: string, file = 'reminders.yaml'): ReminderSettings {
  return parseDataFile(reminderSettingsSchema, text, file)
}

const DAY_MS = 86_400_000
/** A window's last day ends at midnight in Taiwan. */
const endOf = (isoDate: string) => new Date(`${isoDate}T23:59:59+08:00`)

/** Creates the reminders that are due now; returns the ids of those this call made. */
export async function scheduleDeadlineReminders(deps: { db: Db; rules: ProgrammeRules; settings: ReminderSettings; log: Logger; now?: Date }): Promise<number[]> {
  const now = deps.now ?? new Date()
  const made: number[] = []
  for (const p of deps.rules.programmes) {
    const { opens, closes } = p.window
    if (!closes) continue
    const end = endOf(closes)
    if (now > end || end.getTime() - now.getTime() > deps.settings.days_before * DAY_MS) continue
    if (opens && now < new Date(`${opens}T00:00:00+08:00`)) continue
    const daysLeft = Math.max(0, Math.floor((end.getTime() - now.getTime()) / DAY_MS))
    const id = await createCampaign(deps.db, {
      title: `截止提醒：${p.name}`,
      messages: [text(c.reminder(p.name, rocDate(closes), daysLeft), [postbackItem(c.quick.ask, 'action=ask'), postbackItem(c.quick.consultant, 'action=consultant')])],
      audience: { topics: ['deadlines'], regions: [], industries: [], levels: [], eligibleFor: p.id },
      createdBy: 'reminders',
      reminderKey: `deadline:${p.id}:${closes}`,
    })
    if (id !== undefined) {
      made.push(id)
      deps.log.info('deadline reminder scheduled', { programme: p.id, closes, campaign: id })
    }
  }
  return made
}
