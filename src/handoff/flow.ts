import type { messagingApi } from '@line/bot-sdk'
import { postbackItem, text } from '../chat/messages.js'
import type { LineMessage } from '../line/limits.js'
import { handoffCopy as c } from './copy.js'
import { describeOfficeHours, describeTime, dueAt, isOfficeTime, nextOpening } from './hours.js'
import type { HandoffSettings } from './settings.js'
import { INTAKE_FIELDS, ratingData, type CaseIntake, type IntakeField } from './state.js'

type QuickReplyItem = messagingApi.QuickReplyItem

/**
 * The intake conversation as pure steps: (what is known, the detail being asked, the user's input)
 * → the next question, completion or cancellation, with the replies. The route loads and saves.
 */

/** Longest answer kept per detail: enough for a company name or a one-sentence question. */
export const INTAKE_MAX_CHARS = 200

const SKIP_WORDS = /^(略過|跳過|skip|pass|不知道|不確定|不想說|不方便|不要)$/i
const CANCEL_WORDS = /^(取消|取消轉介|不用了|算了|cancel)$/i

export type IntakeEvent =
  | { type: 'text'; text: string }
  /** The 略過 button of `field` (stale when another detail is being asked), or a typed 略過. */
  | { type: 'skip'; field?: IntakeField }
  | { type: 'cancel' }
  /** Asked for a consultant again mid-intake: ask the current detail again. */
  | { type: 'resume' }
  /** Anything else (another button, a sticker): remind and ask again. */
  | { type: 'other' }

export type IntakeResult =
  | { kind: 'ask'; intake: CaseIntake; asking: IntakeField; replies: LineMessage[] }
  | { kind: 'complete'; intake: CaseIntake }
  | { kind: 'cancel' }

/** Reads a typed text as an intake event: 略過 and 取消 words, else an answer. */
export function textEvent(input: string): IntakeEvent {
  const t = input.trim()
  if (SKIP_WORDS.test(t)) return { type: 'skip' }
  if (CANCEL_WORDS.test(t)) return { type: 'cancel' }
  return { type: 'text', text: t }
}

/** The first detail not asked yet. */
export function nextField(intake: CaseIntake): IntakeField | undefined {
  return INTAKE_FIELDS.find((f) => intake[f] === undefined)
}

/** One intake question with 略過 and 取消 (and `more` quick replies, e.g. those of a reply it follows). */
export function questionMessage(field: IntakeField, lead?: string, more: QuickReplyItem[] = []): LineMessage {
  const own = [postbackItem(c.quick.skip, `action=handoff-skip&field=${field}`, c.quick.skip), postbackItem(c.quick.cancel, 'action=handoff-cancel', c.quick.cancel)]
  const labels = new Set(own.map((i) => i.action?.label))
  return text(lead ? `${lead}\n\n${c.ask[field]}` : c.ask[field], [...own, ...more.filter((i) => !labels.has(i.action?.label))])
}

/** The first question of a new intake; details already known (an unanswered question, an earlier company name) are not asked. */
export function startIntake(known: CaseIntake, fromAssessment: boolean): { asking: IntakeField; replies: LineMessage[] } {
  // There is always something to ask: the contact time is never known in advance.
  const asking = nextField(known) ?? 'contactTime'
  const lead = [fromAssessment ? c.startFromAssessment : c.start, known.question ? c.knownQuestion(known.question) : undefined].filter(Boolean).join('\n')
  return { asking, replies: [questionMessage(asking, lead)] }
}

export function intakeStep(intake: CaseIntake, asking: IntakeField, event: IntakeEvent): IntakeResult {
  const again = (lead: string): IntakeResult => ({ kind: 'ask', intake, asking, replies: [questionMessage(asking, lead)] })
  switch (event.type) {
    case 'cancel':
      return { kind: 'cancel' }
    case 'resume':
    case 'other':
      return again(c.stillIntake)
    case 'skip':
      if (event.field && event.field !== asking) return again(c.stillIntake)
      return advance({ ...intake, [asking]: null })
    case 'text': {
      if (event.text.length === 0) return again(c.empty)
      if (Array.from(event.text).length > INTAKE_MAX_CHARS) return again(c.tooLong(INTAKE_MAX_CHARS))
      return advance({ ...intake, [asking]: event.text })
    }
  }
}

function advance(intake: CaseIntake): IntakeResult {
  const next = nextField(intake)
  return next ? { kind: 'ask', intake, asking: next, replies: [questionMessage(next)] } : { kind: 'complete', intake }
}

/** The confirmation when a case opens: its number, what happens next, and when a consultant replies (office hours aware). */
export function openedMessages(caseId: number, intake: CaseIntake, now: Date, settings: HandoffSettings): { replies: LineMessage[]; dueAt: Date } {
  const hours = settings.office_hours
  const due = dueAt(now, settings.response_target_hours, hours)
  const when = isOfficeTime(now, hours)
    ? c.inOfficeHours(describeTime(due, now, hours.timezone))
    : c.outOfOfficeHours(describeOfficeHours(hours), describeTime(nextOpening(now, hours), now, hours.timezone), describeTime(due, now, hours.timezone))
  const details = INTAKE_FIELDS.map((f) => `・${c.fieldName[f]}：${intake[f] ?? c.skipped}`)
  const body = [c.opened(caseId), c.whatNext, when, c.summary(details), c.howToEnd].join('\n\n')
  return { replies: [text(body, [postbackItem(c.quick.end, 'action=end-handoff', c.quick.end)])], dueAt: due }
}

/** What the user gets when a case ends: back to the bot, and a satisfaction question. */
export function caseClosedMessages(caseId: number, by: 'user' | 'consultant'): LineMessage[] {
  const lead = by === 'consultant' ? c.closed.byConsultant(caseId) : c.closed.byUser(caseId)
  return [text(`${lead}${c.closed.back}`, c.closed.ratings.map((r) => postbackItem(r.label, ratingData(caseId, r.score), r.shown)))]
}
