import { and, asc, desc, eq, or, sql } from 'drizzle-orm'
import type { Staff } from '../console/auth.js'
import { answers, assessments, caseNotes, messages, outbox, staff as staffTable } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
import type { AssessmentResult } from '../assessment/scoring.js'
import type { Case } from './state.js'

/**
 * Reading cases for the consultant console: who may see what, the inbox, one case with its context,
 * and the live thread. The actions that change a case live in case-actions.ts.
 */

export interface CaseRow
  extends Pick<
    Case,
    | 'id'
    | 'conversationId'
    | 'userId'
    | 'status'
    | 'reason'
    | 'assessmentId'
    | 'intake'
    | 'summary'
    | 'summaryFacts'
    | 'assigneeId'
    | 'openedAt'
    | 'dueAt'
    | 'firstResponseAt'
    | 'lastStaffMessageAt'
    | 'resolvedAt'
    | 'resolvedBy'
    | 'satisfaction'
    | 'createdAt'
  > {
  /** Where messages to the user go (the 1:1 chat id). */
  chatId: string
  assigneeName: string | null
  /** Since when the user has been waiting for a consultant (null: answered, nothing new from the user). */
  waitingSince: Date | null
}

// ---- authorization ---------------------------------------------------------------------------

/** A consultant sees unassigned cases and their own; PMO staff see every case. */
export function canView(staff: Pick<Staff, 'id' | 'role'>, c: Pick<CaseRow, 'assigneeId'>): boolean {
  return staff.role === 'pmo' || c.assigneeId === null || c.assigneeId === staff.id
}

export type AssignTarget = { id: string; role: Staff['role']; active: boolean } | null

/**
 * Reassignment: PMO staff assign to any active account (or back to the unassigned queue); a
 * consultant takes an unassigned case, or hands their own case to another active consultant.
 */
export function canAssign(staff: Pick<Staff, 'id' | 'role'>, c: Pick<CaseRow, 'assigneeId' | 'status'>, target: AssignTarget): boolean {
  if (c.status === 'resolved') return false
  if (target && !target.active) return false
  if (staff.role === 'pmo') return true
  if (!target) return false
  if (c.assigneeId === null) return target.id === staff.id
  return c.assigneeId === staff.id && target.role === 'consultant'
}

export type InboxTab = 'unassigned' | 'mine' | 'all'
export const INBOX_TABS: InboxTab[] = ['unassigned', 'mine', 'all']

export function canSeeTab(staff: Pick<Staff, 'role'>, tab: InboxTab): boolean {
  return tab !== 'all' || staff.role === 'pmo'
}

// ---- queries ---------------------------------------------------------------------------------

/** The case's own columns (snake_case, as CASE_COLUMNS selects them) and the joined ones. */
type RawCase = RawRow<Omit<CaseRow, 'waitingSince' | 'chatId' | 'assigneeName'>> & { chat_id: string; assignee_name: string | null; waiting_since: string | null }

const date = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v))

function toCase(r: RawCase): CaseRow {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    userId: r.user_id,
    chatId: r.chat_id,
    status: r.status,
    reason: r.reason,
    assessmentId: r.assessment_id,
    intake: r.intake,
    summary: r.summary,
    summaryFacts: r.summary_facts,
    assigneeId: r.assignee_id,
    assigneeName: r.assignee_name,
    openedAt: date(r.opened_at),
    dueAt: date(r.due_at),
    firstResponseAt: date(r.first_response_at),
    lastStaffMessageAt: date(r.last_staff_message_at),
    resolvedAt: date(r.resolved_at),
    resolvedBy: r.resolved_by,
    satisfaction: r.satisfaction,
    createdAt: date(r.created_at)!,
    waitingSince: date(r.waiting_since),
  }
}

/**
 * Waiting starts when the case opened and, once a consultant has answered, again at the user's first
 * message after the consultant's latest one. Computed from the thread itself, so it is right
 * whichever side updated the case's timestamps.
 */
const CASE_COLUMNS = sql`
  c.id, c.conversation_id, c.user_id, v.chat_id, c.status, c.reason, c.assessment_id, c.intake, c.summary, c.summary_facts,
  c.assignee_id, s.display_name AS assignee_name, c.opened_at, c.due_at, c.first_response_at, c.last_staff_message_at,
  c.resolved_at, c.resolved_by, c.satisfaction, c.created_at,
  CASE
    WHEN c.status <> 'open' THEN NULL
    WHEN c.last_staff_message_at IS NULL THEN coalesce(c.opened_at, c.created_at)
    ELSE (SELECT min(m.created_at) FROM messages m
          WHERE m.conversation_id = c.conversation_id AND m.direction = 'in' AND m.created_at > c.last_staff_message_at)
  END AS waiting_since`
const CASE_FROM = sql`FROM cases c JOIN conversations v ON v.id = c.conversation_id LEFT JOIN staff s ON s.id = c.assignee_id`

export async function findCase(db: Db, id: number): Promise<CaseRow | undefined> {
  const row = rowsOf<RawCase>(await db.execute(sql`SELECT ${CASE_COLUMNS} ${CASE_FROM} WHERE c.id = ${id}`))[0]
  return row ? toCase(row) : undefined
}

/** An inbox tab, oldest waiting first (cases nobody waits on after them, oldest opened first). */
export async function listInbox(db: Db, staff: Pick<Staff, 'id'>, tab: InboxTab): Promise<CaseRow[]> {
  const where =
    tab === 'unassigned'
      ? sql`c.status = 'open' AND c.assignee_id IS NULL`
      : tab === 'mine'
        ? sql`c.status = 'open' AND c.assignee_id = ${staff.id}::uuid`
        : sql`c.status IN ('intake', 'open')`
  const rows = rowsOf<RawCase>(
    await db.execute(sql`
      SELECT * FROM (SELECT ${CASE_COLUMNS} ${CASE_FROM} WHERE ${where}) x
      ORDER BY x.waiting_since ASC NULLS LAST, coalesce(x.opened_at, x.created_at) ASC, x.id ASC
      LIMIT 200`),
  )
  return rows.map(toCase)
}

/** Cases closed in the last week, newest first (shown to PMO staff under 全部). */
export async function listRecentlyResolved(db: Db, now: Date, limit = 20): Promise<CaseRow[]> {
  const since = new Date(now.getTime() - 7 * 86_400_000).toISOString()
  const rows = rowsOf<RawCase>(
    await db.execute(sql`SELECT ${CASE_COLUMNS} ${CASE_FROM} WHERE c.status = 'resolved' AND c.resolved_at > ${since}::timestamptz ORDER BY c.resolved_at DESC LIMIT ${limit}`),
  )
  return rows.map(toCase)
}

/** Past its response target with no consultant reply yet. */
export function isOverdue(c: Pick<CaseRow, 'status' | 'dueAt' | 'firstResponseAt'>, now: Date): boolean {
  return c.status === 'open' && c.firstResponseAt === null && c.dueAt !== null && c.dueAt.getTime() < now.getTime()
}

// ---- the case's context ----------------------------------------------------------------------

export interface CaseContext {
  assessment: { id: string; completedAt: Date | null; result: AssessmentResult } | undefined
  /** Questions the bot could not answer, or whose answer the user found unhelpful, newest first. */
  unanswered: { question: string; reason: 'uncovered' | 'unhelpful'; at: Date }[]
  notes: { id: number; text: string; staffName: string | null; at: Date }[]
}

export async function loadContext(db: Db, c: CaseRow): Promise<CaseContext> {
  // The assessment that led to the case if there is one, else the user's latest completed one.
  const assessment = rowsOf<RawRow<Pick<typeof assessments.$inferSelect, 'id' | 'completedAt' | 'result'>>>(
    await db.execute(sql`
      SELECT id, completed_at, result FROM assessments
      WHERE user_id = ${c.userId} AND status = 'completed' AND result IS NOT NULL
      ORDER BY (id = ${c.assessmentId ?? null}::uuid) IS TRUE DESC, completed_at DESC NULLS LAST
      LIMIT 1`),
  )[0]
  const unanswered = await db
    .select({ question: answers.question, covered: answers.covered, createdAt: answers.createdAt })
    .from(answers)
    .where(and(eq(answers.userId, c.userId), or(eq(answers.covered, false), eq(answers.feedback, 'unhelpful'))))
    .orderBy(desc(answers.createdAt))
    .limit(10)
  const notes = await db
    .select({ id: caseNotes.id, text: caseNotes.text, staffName: staffTable.displayName, at: caseNotes.createdAt })
    .from(caseNotes)
    .leftJoin(staffTable, eq(staffTable.id, caseNotes.staffId))
    .where(eq(caseNotes.caseId, c.id))
    .orderBy(asc(caseNotes.id))
  return {
    assessment: assessment?.result
      ? {
          id: assessment.id,
          completedAt: date(assessment.completed_at),
          result: assessment.result as AssessmentResult,
        }
      : undefined,
    unanswered: unanswered.map((u) => ({ question: u.question, reason: u.covered ? 'unhelpful' : 'uncovered', at: u.createdAt })),
    notes,
  }
}

// ---- the thread ------------------------------------------------------------------------------

export type Delivery = 'sending' | 'retrying' | 'reply' | 'push' | 'failed'

export interface ThreadMessage {
  id: number
  direction: 'in' | 'out'
  kind: string
  text: string | null
  at: Date
  /** Consultant-written messages: who wrote it (null: the bot). */
  staffName: string | null
  outboxId: number | null
  delivery: Delivery | null
  error: string | null
}

export function deliveryOf(status: string | null, via: string | null, lastError: string | null): Delivery | null {
  if (status === null) return null
  if (status === 'sent') return via === 'reply' ? 'reply' : 'push'
  if (status === 'failed') return 'failed'
  return lastError ? 'retrying' : 'sending'
}

/** The conversation's latest messages, oldest first, each consultant message with its delivery state. */
export async function loadThread(db: Db, conversationId: number, limit = 200): Promise<ThreadMessage[]> {
  const rows = await db
    .select({
      id: messages.id,
      direction: messages.direction,
      kind: messages.kind,
      text: messages.text,
      at: messages.createdAt,
      staffId: messages.staffId,
      staffName: staffTable.displayName,
      outboxId: outbox.id,
      status: outbox.status,
      sentVia: outbox.sentVia,
      lastError: outbox.lastError,
    })
    .from(messages)
    .leftJoin(staffTable, eq(staffTable.id, messages.staffId))
    .leftJoin(outbox, eq(outbox.id, messages.outboxId))
    .where(eq(messages.conversationId, conversationId))
    .orderBy(desc(messages.id))
    .limit(limit)
  return rows.reverse().map((r) => ({
    id: r.id,
    direction: r.direction,
    kind: r.kind,
    text: r.text,
    at: r.at,
    staffName: r.staffId ? (r.staffName ?? '（已刪除的帳號）') : null,
    outboxId: r.outboxId,
    delivery: deliveryOf(r.status, r.sentVia, r.lastError),
    error: r.status === 'sent' ? null : r.lastError,
  }))
}

/** Active accounts a case can be assigned to. */
export async function listAssignees(db: Db): Promise<{ id: string; displayName: string; role: Staff['role'] }[]> {
  return db
    .select({ id: staffTable.id, displayName: staffTable.displayName, role: staffTable.role })
    .from(staffTable)
    .where(eq(staffTable.active, true))
    .orderBy(asc(staffTable.role), asc(staffTable.displayName))
}

export async function findAssignTarget(db: Db, id: string): Promise<AssignTarget | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined
  const [row] = await db.select({ id: staffTable.id, role: staffTable.role, active: staffTable.active }).from(staffTable).where(eq(staffTable.id, id))
  return row
}
