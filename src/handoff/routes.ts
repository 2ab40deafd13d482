import type { AssessmentDefinition } from '../assessment/definition.js'
import { followedBy } from '../chat/dispatch.js'
import { text } from '../chat/messages.js'
import type { Route } from '../chat/types.js'
import type { Db } from '../db/types.js'
import { loadCaseProfile, loadConsultants, pickConsultant } from './assign.js'
import { consultantOfferItems, handoffCopy as c } from './copy.js'
import type { HandoffSettings } from './settings.js'
import type { CaseIntake } from './state.js'
import { afterInterleaved, handoffStep, intakeOutcome, opened, rated, readInput, sliceOf, started } from './steps.js'
import { loadActiveCase, loadUserCase, previousCompany, questionOf, recentCoverage } from './store.js'

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

/**
 * The handoff route: load → step (src/handoff/steps.ts) → the loads a step asks for → its outcome.
 * It goes after the core lifecycle and data-deletion routes and before everything else, because
 * while a case is open the bot must stay silent (the messages go to the case thread), and during
 * intake every text answers the current question.
 */
export function handoffRoutes(deps: HandoffDeps): Route[] {
  const { db, settings } = deps
  const route: Route = async (input, ctx) => {
    const said = readInput(input, settings)
    // The slice says, without a query, whether a handoff is on (ctx.mode is read from it: handoffMode);
    // the route needs the slice itself for its case id. The cases row has the last word.
    const slice = sliceOf(ctx.state)
    const current = slice && ctx.userId && ctx.chatType === 'user' ? await loadUserCase(db, slice.caseId, ctx.userId) : undefined
    let step = handoffStep(said, { chatType: ctx.chatType, userId: ctx.userId, replyToken: ctx.replyToken, slice, current })
    if (step.kind === 'interleave') {
      const other = await deps.interleave?.(input, ctx)
      if (other) return followedBy(other, 'handoff-intake', afterInterleaved(step.asking))
      step = intakeOutcome(said, current!, step.asking)
    }
    const userId = ctx.userId!
    switch (step.kind) {
      case 'pass':
        return undefined
      case 'done':
        return step.outcome
      case 'rate':
        return rated(step.caseId !== undefined && step.score !== undefined ? await loadUserCase(db, step.caseId, userId) : undefined, step.score)
      case 'open': {
        const [profile, consultants] = await Promise.all([loadCaseProfile(db, userId, step.caseRow.assessmentId, deps.assessment), loadConsultants(db)])
        return opened(step.caseRow, step.intake, pickConsultant(settings.assignment.rules, profile, consultants), ctx.now, settings)
      }
      case 'start': {
        const existing = await loadActiveCase(db, ctx.chatId)
        const known: CaseIntake = {}
        if (!existing) {
          const company = await previousCompany(db, userId)
          if (company) known.company = company
          // The question the bot could not answer (or the user was unhappy with) is what the consultant should see.
          const reason = step.reason
          const question = reason === 'unanswered' || reason === 'unhappy' ? await questionOf(db, userId, { answerId: step.answerId, uncoveredOnly: reason === 'unanswered' }) : undefined
          if (question) known.question = Array.from(question).slice(0, 200).join('')
        }
        return started(existing, step, known)
      }
    }
  }
  return [route]
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
