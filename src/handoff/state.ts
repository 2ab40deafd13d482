import type { cases } from '../db/schema.js'

/**
 * The contract between the chat side of a handoff (src/handoff/routes.ts) and the consultant
 * console (src/handoff/console.tsx, src/handoff/cases.ts).
 *
 * - The `cases` table is the source of truth. The conversation's state slice `handoff` mirrors the
 *   active case so the router can tell, without a query, that the bot must stay silent.
 * - Whoever ends a case (the user with "結束真人服務", or a consultant resolving it) does, in ONE
 *   transaction: cases.status = 'resolved' (+ resolved_at, resolved_by), remove the conversation's
 *   `handoff` state slice, and queue `caseClosedMessages` (flow.ts) to the user.
 */
export const HANDOFF_STATE_KEY = 'handoff'

export interface HandoffState {
  caseId: number
  /** intake: the bot is collecting details; open: the bot is silent and relays to the case. */
  status: 'intake' | 'open'
  /** Intake only: the detail being asked for now. */
  asking?: 'company' | 'contactTime' | 'question'
}

/** Postback data of the satisfaction quick reply: `action=case-rating&case=<id>&score=<1-5>`. */
export function ratingData(caseId: number, score: number): string {
  return `action=case-rating&case=${caseId}&score=${score}`
}

/**
 * A row of the `cases` table, as drizzle's query builder returns it. The chat side (store.ts) and the
 * console (cases.ts) each read the columns they need of it.
 */
export type Case = typeof cases.$inferSelect

/** What started a case (cases.reason). */
export type CaseReason = 'asked' | 'unanswered' | 'unhappy' | 'assessment'

/** The details asked at intake, in this order. */
export const INTAKE_FIELDS = ['company', 'contactTime', 'question'] as const
export type IntakeField = (typeof INTAKE_FIELDS)[number]

/** cases.intake: a missing key has not been asked yet; null means the user skipped it. */
export type CaseIntake = Partial<Record<IntakeField, string | null>>

/**
 * Effects of the chat side of a handoff (applied by src/handoff/store.ts in the event's transaction).
 * Each keeps the `cases` row and the conversation's `handoff` slice in step.
 */
export type CaseEffect =
  /** Inserts the case (status intake) and points the slice at it, asking `asking`. */
  | { type: 'case-start'; reason: CaseReason; assessmentId?: string; intake: CaseIntake; asking: IntakeField }
  | { type: 'case-update'; caseId: number; intake: CaseIntake; asking: IntakeField }
  /** Intake complete: status open, opened_at, due_at, assignee; the slice turns to open. */
  | { type: 'case-open'; caseId: number; intake: CaseIntake; dueAt: string; assigneeId?: string }
  /** A user message relayed to the case: its reply token is kept for the consultant's reply. */
  | { type: 'case-user-message'; caseId: number; replyToken?: string }
  /** Ended from the chat: by the user (結束真人服務) or cancelled during intake. Removes the slice. */
  | { type: 'case-close'; caseId: number; by: 'user' | 'cancelled' }
  | { type: 'case-rating'; caseId: number; score: number }

declare module '../chat/types.js' {
  interface FeatureEffects {
    /** Handoff to a consultant (see CaseEffect above). */
    case: CaseEffect
  }
}
