// Workers only: the data files are bundled as text by wrangler (see [[rules]] in wrangler.toml) and
// validated the same way Node validates them when it reads them from disk.
import assessmentYaml from '../knowledge/assessment/quick-assessment.yaml'
import rulesYaml from '../knowledge/rules/programmes.yaml'
import handoffYaml from '../knowledge/handoff/handoff.yaml'
import remindersYaml from '../knowledge/outreach/reminders.yaml'
import { parseDefinition } from './assessment/definition.js'
import { parseProgrammeRules } from './eligibility/rules.js'
import { parseHandoffSettings } from './handoff/settings.js'
import { parseReminderSettings } from './outreach/reminders.js'

export const bundledAssessment = parseDefinition(assessmentYaml, 'quick-assessment.yaml')
export const bundledRules = parseProgrammeRules(rulesYaml, 'programmes.yaml')
export const bundledHandoff = parseHandoffSettings(handoffYaml, 'handoff.yaml')
export const bundledReminders = parseReminderSettings(remindersYaml, 'reminders.yaml')
