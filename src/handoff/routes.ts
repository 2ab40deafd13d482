import { z } from 'zod'
import type { AssessmentDefinition } from '../assessment/definition.js'
import { menuItems, text } from '../chat/messages.js'
import { followedBy, MENU_WORDS, QUESTION } from '../chat/dispatch.js'
import { parsePostback } from '../chat/router.js'
import type { ChatContext, ChatInput, Outcome, Route } from '../chat/types.js'
import type { Db } from '../db/types.js'
import { loadCaseProfile, loadConsultants, pickConsultant } from './assign.js'
import { consultantOfferItems, handoffCopy as c } from './copy.js'
import { intakeStep, nextField, openedMessages, questionMessage, startIntake, textEvent, type IntakeEvent } from './flow.js'
import type { HandoffSettings } from './settings.js'
import { HANDOFF_STATE_KEY, INTAKE_FIELDS, caseClosedMessages, type CaseIntake, type CaseReason, type HandoffState } from './state.js'
import { loadActiveCase, loadUserCase, previousCompany, questionOf, recentCoverage, type CaseRow } from './store.js'

export interface HandoffDeps {
  db: Db
  settings: HandoffSettings
  /** For the names of the profile's regions and industries (assignment). */
  assessment?: AssessmentDefinition
  /**
   * The routes after this one. During intake they answer what is no intake answer (another button,
   * a question, 選單), and the current intake question follows their reply.
   */
  interleave?: Route
}

/** Long messages that merely mention a trigger word, or ask what it is ("真人客服是什麼"), are questions, not requests. */
const REQUEST_MAX_CHARS = 20
const ABOUT_SOMETHING = /(是什麼|什麼是)/
const OUR_ACTIONS = new Set(['consultant', 'end-handoff', 'handoff-skip', 'handoff-cancel', 'case-rating'])

const sliceSchema = z.object({
  caseId: z.number().int().positive(),
  status: z.enum(['intake', 'open']),
  asking: z.enum(INTAKE_FIELDS).optional(),
})

function sliceOf(ctx: ChatContext): HandoffState | undefined {
  const parsed = sliceSchema.safeParse(ctx.state[HANDOFF_STATE_KEY])
  return parsed.success ? parsed.data : undefined
}

/**
 * The handoff route. It goes after the core lifecycle and data-deletion routes and before everything
 * else, because while a case is open the bot must stay silent (the messages go to the case thread),
 * and during intake every text answers the current question.
 */
export function handoffRoutes(deps: HandoffDeps): Route[] {
  const { db, settings } = deps
  const isEnd = (t: string) => t.length <= 12 && settings.end_words.some((w) => t.includes(w))
  const isRequest = (t: string) => Array.from(t).length <= REQUEST_MAX_CHARS && !ABOUT_SOMETHING.test(t) && settings.triggers.some((w) => t.includes(w))

  async function start(ctx: ChatContext & { userId: string }, reason: CaseReason, params: URLSearchParams | undefined): Promise<Outcome> {
    const existing = await loadActiveCase(db, ctx.chatId)
    if (existing?.status === 'open') {
      return {
        intent: 'handoff-already-open',
        replies: [text(c.alreadyOpen(existing.id))],
        effects: [{ type: 'patch-state', key: HANDOFF_STATE_KEY, value: { caseId: existing.id, status: 'open' } satisfies HandoffState }],
      }
    }
    if (existing) {
      const asking = nextField(existing.intake) ?? 'question'
      return {
        intent: 'handoff-resume',
        replies: [questionMessage(asking, c.stillIntake)],
        effects: [{ type: 'case-update', caseId: existing.id, intake: existing.intake, asking }],
      }
    }
    const assessmentId = z.uuid().safeParse(params?.get('assessment')).data
    const answerId = z.uuid().safeParse(params?.get('answer')).data
    const known: CaseIntake = {}
    const company = await previousCompany(db, ctx.userId)
    if (company) known.company = company
    // The question the bot could not answer (or the user was unhappy with) is what the consultant should see.
    const question = reason === 'unanswered' || reason === 'unhappy' ? await questionOf(db, ctx.userId, { answerId, uncoveredOnly: reason === 'unanswered' }) : undefined
    if (question) known.question = Array.from(question).slice(0, 200).join('')
    const first = startIntake(known, reason === 'assessment')
    return {
      intent: 'handoff-start',
      replies: first.replies,
      effects: [{ type: 'case-start', reason, ...(assessmentId ? { assessmentId } : {}), intake: known, asking: first.asking }],
    }
  }

  function whileOpen(input: ChatInput, ctx: ChatContext, open: CaseRow, ends: boolean, asks: boolean): Outcome {
    if (ends) {
      return { intent: 'handoff-end', replies: caseClosedMessages(open.id, 'user'), effects: [{ type: 'case-close', caseId: open.id, by: 'user' }] }
    }
    if (asks) {
      // The reply spends this event's token, so it is not kept for the consultant.
      return { intent: 'handoff-already-open', replies: [text(c.alreadyOpen(open.id))], effects: [{ type: 'case-user-message', caseId: open.id }] }
    }
    // Silence: the processor has stored the message in the transcript; keep the token for the consultant's reply.
    return { intent: 'handoff-relay', replies: [], effects: [{ type: 'case-user-message', caseId: open.id, ...(ctx.replyToken ? { replyToken: ctx.replyToken } : {}) }] }
  }

  async function duringIntake(input: ChatInput, ctx: ChatContext & { userId: string }, intake: CaseRow, slice: HandoffState | undefined, ends: boolean, asks: boolean): Promise<Outcome> {
    const asking = slice?.status === 'intake' && slice.asking && intake.intake[slice.asking] === undefined ? slice.asking : (nextField(intake.intake) ?? 'question')
    const params = input.kind === 'postback' ? parsePostback(input.data) : undefined
    const action = params?.get('action')
    const foreign =
      input.kind === 'unsupported' ||
      (input.kind === 'postback' && !OUR_ACTIONS.has(action ?? '')) ||
      (input.kind === 'text' && !ends && !asks && (MENU_WORDS.test(input.text.trim()) || (asking !== 'question' && QUESTION.test(input.text))))
    if (foreign) {
      // During intake, texts that ask something are no company name or contact time: the other
      // route answers, and the intake question follows.
      const other = await deps.interleave?.(input, ctx)
      if (other) return followedBy(other, 'handoff-intake', (keep) => questionMessage(asking, c.stillIntakeAfter, keep))
    }
    let event: IntakeEvent
    if (ends || action === 'handoff-cancel') event = { type: 'cancel' }
    else if (asks) event = { type: 'resume' }
    else if (action === 'handoff-skip') event = { type: 'skip', field: z.enum(INTAKE_FIELDS).safeParse(params?.get('field')).data ?? asking }
    else if (input.kind === 'text') event = textEvent(input.text)
    else event = { type: 'other' }

    const result = intakeStep(intake.intake, asking, event)
    if (result.kind === 'cancel') {
      return { intent: 'handoff-cancel', replies: [text(c.cancelled, menuItems())], effects: [{ type: 'case-close', caseId: intake.id, by: 'cancelled' }] }
    }
    if (result.kind === 'ask') {
      return { intent: 'handoff-intake', replies: result.replies, effects: [{ type: 'case-update', caseId: intake.id, intake: result.intake, asking: result.asking }] }
    }
    const [profile, consultants] = await Promise.all([loadCaseProfile(db, ctx.userId, intake.assessmentId, deps.assessment), loadConsultants(db)])
    const assignee = pickConsultant(settings.assignment.rules, profile, consultants)
    const opened = openedMessages(intake.id, result.intake, ctx.now, settings)
    return {
      intent: 'handoff-open',
      replies: opened.replies,
      effects: [{ type: 'case-open', caseId: intake.id, intake: result.intake, dueAt: opened.dueAt.toISOString(), ...(assignee ? { assigneeId: assignee.id } : {}) }],
    }
  }

  /** A satisfaction tap: stored only on the user's own resolved case. */
  async function rate(params: URLSearchParams, ctx: ChatContext & { userId: string }): Promise<Outcome> {
    const caseId = z.coerce.number().int().positive().safeParse(params.get('case')).data
    const score = z.coerce.number().int().min(1).max(5).safeParse(params.get('score')).data
    const own = caseId !== undefined && score !== undefined ? await loadUserCase(db, caseId, ctx.userId) : undefined
    if (own?.status !== 'resolved' || score === undefined) return { intent: 'handoff-rating-invalid', replies: [text(c.ratingUnknown, menuItems())] }
    return { intent: 'handoff-rating', replies: [text(c.ratingThanks, menuItems())], effects: [{ type: 'case-rating', caseId: own.id, score }] }
  }

  const route: Route = async (input, ctx) => {
    const params = input.kind === 'postback' ? parsePostback(input.data) : undefined
    const action = params?.get('action')
    const said = input.kind === 'text' ? input.text.trim() : undefined
    const ends = action === 'end-handoff' || (said !== undefined && isEnd(said))
    const asks = !ends && (action === 'consultant' || (said !== undefined && isRequest(said)))
    const ours = ends || asks || action === 'case-rating' || action?.startsWith('handoff-') === true
    if (ctx.chatType !== 'user' || !ctx.userId) return ours ? { intent: 'handoff-private-only', replies: [text(c.privateOnly)] } : undefined
    const user = { ...ctx, userId: ctx.userId }
    if (action === 'case-rating') return rate(params!, user)

    // The slice says, without a query, whether a handoff is on; the cases row has the last word
    // (a consultant may have resolved the case from the console).
    const slice = sliceOf(ctx)
    const current = slice ? await loadUserCase(db, slice.caseId, ctx.userId) : undefined
    if (current?.status === 'open') return whileOpen(input, ctx, current, ends, asks)
    if (current?.status === 'intake') return duringIntake(input, user, current, slice, ends, asks)

    const dropStale = slice ? [{ type: 'patch-state' as const, key: HANDOFF_STATE_KEY, value: null }] : []
    if (ends || action === 'handoff-skip' || action === 'handoff-cancel') return { intent: 'handoff-none', replies: [text(c.noActive, menuItems())], effects: dropStale }
    if (!asks) return undefined
    // start() also finds a case this chat already has (open: says so; in intake: resumes it).
    return start(user, reasonOf(params), params)
  }
  return [route]
}

function reasonOf(params: URLSearchParams | undefined): CaseReason {
  if (z.uuid().safeParse(params?.get('assessment')).success) return 'assessment'
  const reason = params?.get('reason')
  return reason === 'unanswered' || reason === 'unhappy' ? reason : 'asked'
}

/**
 * Wraps the answer routes: when the bot could not answer `offer_after_unanswered` questions in a
 * row, the reply ends with an offer of a consultant (a quick reply starts the handoff; nothing is forced).
 */
export function withUnansweredOffer(routes: Route[], deps: HandoffDeps): Route[] {
  const wanted = deps.settings.offer_after_unanswered
  return routes.map((route): Route => async (input, ctx) => {
    const outcome = await route(input, ctx)
    if (!outcome || !ctx.userId || ctx.chatType !== 'user') return outcome
    const recorded = outcome.effects?.find((e) => e.type === 'record-answer')
    if (!recorded || recorded.answer.covered) return outcome
    // This answer is not stored yet: the rows are the ones before it, newest first.
    const before = await recentCoverage(deps.db, ctx.userId, wanted)
    const uncoveredBefore = before.findIndex((covered) => covered)
    const streak = 1 + (uncoveredBefore === -1 ? before.length : uncoveredBefore)
    // Offered once per streak: the decline message itself keeps its consultant button afterwards.
    if (streak !== wanted) return outcome
    return {
      ...outcome,
      intent: `${outcome.intent}+handoff-offer`,
      replies: [...outcome.replies.slice(0, 4), text(c.offerUnanswered, consultantOfferItems('unanswered', recorded.answer.id))],
    }
  })
}
