import { z } from 'zod'
import { MENU_WORDS, QUESTION } from '../chat/dispatch.js'
import { menuItems, text } from '../chat/messages.js'
import { parsePostback } from '../chat/router.js'
import type { ChatInput, ConversationMode, Outcome } from '../chat/types.js'
import type { Consultant } from './assign.js'
import { handoffCopy as c } from './copy.js'
import { caseClosedMessages, intakeStep, nextField, openedMessages, questionMessage, startIntake, textEvent, type IntakeEvent } from './flow.js'
import type { HandoffSettings } from './settings.js'
import { HANDOFF_STATE_KEY, INTAKE_FIELDS, type CaseIntake, type CaseReason, type HandoffState, type IntakeField } from './state.js'
import type { CaseRow } from './store.js'

/**
 * The handoff's decisions as pure steps, like the assessment's: what was said (read) and what the
 * route loaded → replies and effects, or what to load next. src/handoff/routes.ts does the reads.
 */

/** Long messages that merely mention a trigger word, or ask what it is ("真人客服是什麼"), are questions, not requests. */
const REQUEST_MAX_CHARS = 20
const ABOUT_SOMETHING = /(是什麼|什麼是)/
const OUR_ACTIONS = new Set(['consultant', 'end-handoff', 'handoff-skip', 'handoff-cancel', 'case-rating'])

/** What the user's input means to the handoff. */
export interface HandoffInput {
  input: ChatInput
  params: URLSearchParams | undefined
  action: string | undefined
  /** 結束真人服務 (the button or an end word). */
  ends: boolean
  /** 找真人顧問 (the button or a short request). */
  asks: boolean
  /** Anything the handoff answers even outside a case (its buttons, its words). */
  ours: boolean
}

export function readInput(input: ChatInput, settings: HandoffSettings): HandoffInput {
  const params = input.kind === 'postback' ? parsePostback(input.data) : undefined
  const action = params?.get('action') ?? undefined
  const said = input.kind === 'text' ? input.text.trim() : undefined
  const isEnd = (t: string) => t.length <= 12 && settings.end_words.some((w) => t.includes(w))
  const isRequest = (t: string) => Array.from(t).length <= REQUEST_MAX_CHARS && !ABOUT_SOMETHING.test(t) && settings.triggers.some((w) => t.includes(w))
  const ends = action === 'end-handoff' || (said !== undefined && isEnd(said))
  const asks = !ends && (action === 'consultant' || (said !== undefined && isRequest(said)))
  return { input, params, action, ends, asks, ours: ends || asks || action === 'case-rating' || action?.startsWith('handoff-') === true }
}

const sliceSchema = z.object({ caseId: z.number().int().positive(), status: z.enum(['intake', 'open']), asking: z.enum(INTAKE_FIELDS).optional() })

/** The conversation's handoff slice, if it holds a valid one. */
export function sliceOf(state: Record<string, unknown>): HandoffState | undefined {
  const parsed = sliceSchema.safeParse(state[HANDOFF_STATE_KEY])
  return parsed.success ? parsed.data : undefined
}

/**
 * The conversation's mode as the handoff slice says it, without a query: intake → 'intake', an open
 * case → 'with-consultant', no valid slice → undefined. A hint, like the slice: the route loads the
 * cases row, which has the last word: a stale slice (its case resolved or gone) lets the input through.
 */
export function handoffMode(state: Record<string, unknown>): Extract<ConversationMode, 'intake' | 'with-consultant'> | undefined {
  const slice = sliceOf(state)
  if (!slice) return undefined
  return slice.status === 'intake' ? 'intake' : 'with-consultant'
}

/** The next thing the route does. */
export type HandoffStep =
  /** Not the handoff's input: the routes after it take it. */
  | { kind: 'pass' }
  | { kind: 'done'; outcome: Outcome }
  /** A satisfaction tap: load the user's own case, then `rated`. */
  | { kind: 'rate'; caseId: number | undefined; score: number | undefined }
  /** Mid-intake, something else was said: the routes after answer, then `asking` is asked again. */
  | { kind: 'interleave'; asking: IntakeField }
  /** Intake complete: load the assignee, then `opened`. */
  | { kind: 'open'; caseRow: CaseRow; intake: CaseIntake }
  /** A request with no case in this conversation's slice: load the chat's active case and what is known, then `started`. */
  | { kind: 'start'; reason: CaseReason; assessmentId: string | undefined; answerId: string | undefined }

/**
 * The decision over what was said and the case the slice points at (loaded: the cases row has the
 * last word, since a consultant may have resolved it from the console).
 */
export function handoffStep(said: HandoffInput, chat: { chatType: string; userId: string | undefined; replyToken?: string; slice: HandoffState | undefined; current: CaseRow | undefined }): HandoffStep {
  const { ends, asks, action, params } = said
  if (chat.chatType !== 'user' || !chat.userId) return said.ours ? { kind: 'done', outcome: { intent: 'handoff-private-only', replies: [text(c.privateOnly)] } } : { kind: 'pass' }
  if (action === 'case-rating') {
    return { kind: 'rate', caseId: z.coerce.number().int().positive().safeParse(params?.get('case')).data, score: z.coerce.number().int().min(1).max(5).safeParse(params?.get('score')).data }
  }
  const { current, slice } = chat
  if (current?.status === 'open') return { kind: 'done', outcome: whileOpen(current, ends, asks, chat.replyToken) }
  if (current?.status === 'intake') return duringIntake(said, current, slice)

  const dropStale = slice ? [{ type: 'patch-state' as const, key: HANDOFF_STATE_KEY, value: null }] : []
  if (ends || action === 'handoff-skip' || action === 'handoff-cancel') return { kind: 'done', outcome: { intent: 'handoff-none', replies: [text(c.noActive, menuItems())], effects: dropStale } }
  if (!asks) return { kind: 'pass' }
  return { kind: 'start', reason: reasonOf(params), assessmentId: z.uuid().safeParse(params?.get('assessment')).data, answerId: z.uuid().safeParse(params?.get('answer')).data }
}

/** While a consultant has the chat: the bot is silent (the message goes to the case), except to end it or to say it is open. */
export function whileOpen(open: CaseRow, ends: boolean, asks: boolean, replyToken: string | undefined): Outcome {
  if (ends) return { intent: 'handoff-end', replies: caseClosedMessages(open.id, 'user'), effects: [{ type: 'case-close', caseId: open.id, by: 'user' }] }
  // The reply spends this event's token, so it is not kept for the consultant.
  if (asks) return { intent: 'handoff-already-open', replies: [text(c.alreadyOpen(open.id))], effects: [{ type: 'case-user-message', caseId: open.id }] }
  // Silence: the processor has stored the message in the transcript; keep the token for the consultant's reply.
  return { intent: 'handoff-relay', replies: [], effects: [{ type: 'case-user-message', caseId: open.id, ...(replyToken ? { replyToken } : {}) }] }
}

function duringIntake(said: HandoffInput, intake: CaseRow, slice: HandoffState | undefined): HandoffStep {
  const { input, ends, asks, action } = said
  const asking = slice?.status === 'intake' && slice.asking && intake.intake[slice.asking] === undefined ? slice.asking : (nextField(intake.intake) ?? 'question')
  // Another button, a sticker, 選單, or a question while a name or a time is asked: no intake answer.
  const foreign =
    input.kind === 'unsupported' ||
    (input.kind === 'postback' && !OUR_ACTIONS.has(action ?? '')) ||
    (input.kind === 'text' && !ends && !asks && (MENU_WORDS.test(input.text.trim()) || (asking !== 'question' && QUESTION.test(input.text))))
  if (foreign) return { kind: 'interleave', asking }
  return intakeOutcome(said, intake, asking)
}

/** The intake step itself (also what a foreign input gets when no other route takes it). */
export function intakeOutcome(said: HandoffInput, intake: CaseRow, asking: IntakeField): HandoffStep {
  const { input, ends, asks, action, params } = said
  let event: IntakeEvent
  if (ends || action === 'handoff-cancel') event = { type: 'cancel' }
  else if (asks) event = { type: 'resume' }
  else if (action === 'handoff-skip') event = { type: 'skip', field: z.enum(INTAKE_FIELDS).safeParse(params?.get('field')).data ?? asking }
  else if (input.kind === 'text') event = textEvent(input.text)
  else event = { type: 'other' }
  const result = intakeStep(intake.intake, asking, event)
  if (result.kind === 'cancel') return { kind: 'done', outcome: { intent: 'handoff-cancel', replies: [text(c.cancelled, menuItems())], effects: [{ type: 'case-close', caseId: intake.id, by: 'cancelled' }] } }
  if (result.kind === 'ask') return { kind: 'done', outcome: { intent: 'handoff-intake', replies: result.replies, effects: [{ type: 'case-update', caseId: intake.id, intake: result.intake, asking: result.asking }] } }
  return { kind: 'open', caseRow: intake, intake: result.intake }
}

/** Another route's answer mid-intake, with the intake question after it. */
export function afterInterleaved(asking: IntakeField): (keep: Parameters<typeof questionMessage>[2]) => ReturnType<typeof questionMessage> {
  return (keep) => questionMessage(asking, c.stillIntakeAfter, keep)
}

/** Intake complete: the case opens, with the consultant the assignment rules picked (if any). */
export function opened(caseRow: CaseRow, intake: CaseIntake, assignee: Consultant | undefined, now: Date, settings: HandoffSettings): Outcome {
  const o = openedMessages(caseRow.id, intake, now, settings)
  return {
    intent: 'handoff-open',
    replies: o.replies,
    effects: [{ type: 'case-open', caseId: caseRow.id, intake, dueAt: o.dueAt.toISOString(), ...(assignee ? { assigneeId: assignee.id } : {}) }],
  }
}

/**
 * A request for a consultant: the chat's case if it has one (open: says so; in intake: resumes it),
 * else a new intake that skips what is already known (the company from an earlier case, the
 * question the bot could not answer).
 */
export function started(existing: CaseRow | undefined, start: Extract<HandoffStep, { kind: 'start' }>, known: CaseIntake): Outcome {
  if (existing?.status === 'open') {
    return {
      intent: 'handoff-already-open',
      replies: [text(c.alreadyOpen(existing.id))],
      effects: [{ type: 'patch-state', key: HANDOFF_STATE_KEY, value: { caseId: existing.id, status: 'open' } satisfies HandoffState }],
    }
  }
  if (existing) {
    const asking = nextField(existing.intake) ?? 'question'
    return { intent: 'handoff-resume', replies: [questionMessage(asking, c.stillIntake)], effects: [{ type: 'case-update', caseId: existing.id, intake: existing.intake, asking }] }
  }
  const first = startIntake(known, start.reason === 'assessment')
  return {
    intent: 'handoff-start',
    replies: first.replies,
    effects: [{ type: 'case-start', reason: start.reason, ...(start.assessmentId ? { assessmentId: start.assessmentId } : {}), intake: known, asking: first.asking }],
  }
}

/** A satisfaction tap: stored only on the user's own resolved case. */
export function rated(own: CaseRow | undefined, score: number | undefined): Outcome {
  if (own?.status !== 'resolved' || score === undefined) return { intent: 'handoff-rating-invalid', replies: [text(c.ratingUnknown, menuItems())] }
  return { intent: 'handoff-rating', replies: [text(c.ratingThanks, menuItems())], effects: [{ type: 'case-rating', caseId: own.id, score }] }
}

function reasonOf(params: URLSearchParams | undefined): CaseReason {
  if (z.uuid().safeParse(params?.get('assessment')).success) return 'assessment'
  const reason = params?.get('reason')
  return reason === 'unanswered' || reason === 'unhappy' ? reason : 'asked'
}
