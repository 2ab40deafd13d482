import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm'
import type { EffectAppliers, EffectTarget } from '../chat/types.js'
import { answers, cases, conversations, replyTokens } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
import { HANDOFF_STATE_KEY, type Case, type CaseEffect, type HandoffState } from './state.js'

/** Reads and writes of the chat side of a handoff. Routes only read; effects write in the event's transaction. */

export type CaseRow = Pick<Case, 'id' | 'conversationId' | 'userId' | 'status' | 'reason' | 'assessmentId' | 'intake'>

const CASE_COLUMNS = {
  id: cases.id,
  conversationId: cases.conversationId,
  userId: cases.userId,
  status: cases.status,
  reason: cases.reason,
  assessmentId: cases.assessmentId,
  intake: cases.intake,
}

const ACTIVE = ['intake', 'open'] as const

/** The intake or open case of this user's 1:1 chat, if any. */
export async function loadActiveCase(db: Db, chatId: string): Promise<CaseRow | undefined> {
  const rows = await db
    .select(CASE_COLUMNS)
    .from(cases)
    .innerJoin(conversations, eq(conversations.id, cases.conversationId))
    .where(and(eq(conversations.chatType, 'user'), eq(conversations.chatId, chatId), inArray(cases.status, [...ACTIVE])))
  return rows[0]
}

/** A case of this user (never another user's, whatever id a postback carries). */
export async function loadUserCase(db: Db, caseId: number, userId: string): Promise<CaseRow | undefined> {
  const rows = await db.select(CASE_COLUMNS).from(cases).where(and(eq(cases.id, caseId), eq(cases.userId, userId)))
  return rows[0]
}

/** The company name the user gave on an earlier case, so it is not asked again. */
export async function previousCompany(db: Db, userId: string): Promise<string | undefined> {
  const rows = rowsOf<{ company: string | null }>(
    await db.execute(sql`
      SELECT intake->>'company' AS company FROM cases
      WHERE user_id = ${userId} AND intake->>'company' IS NOT NULL ORDER BY id DESC LIMIT 1`),
  )
  return rows[0]?.company ?? undefined
}

/** Questions older than this are no longer what a new case is about. */
const RECENT_QUESTION = sql`interval '1 hour'`

/**
 * The question a case is about: of one of the user's answers (by id), else of their latest recent
 * one — the latest the bot could not answer when `uncoveredOnly`.
 */
export async function questionOf(db: Db, userId: string, which: { answerId?: string; uncoveredOnly: boolean }): Promise<string | undefined> {
  const rows = which.answerId
    ? await db.select({ question: answers.question }).from(answers).where(and(eq(answers.id, which.answerId), eq(answers.userId, userId)))
    : await db
        .select({ question: answers.question })
        .from(answers)
        .where(and(eq(answers.userId, userId), gt(answers.createdAt, sql`now() - ${RECENT_QUESTION}`), which.uncoveredOnly ? eq(answers.covered, false) : undefined))
        .orderBy(desc(answers.createdAt))
        .limit(1)
  return rows[0]?.question
}

/** Whether the user's latest answers were covered, newest first. */
export async function recentCoverage(db: Db, userId: string, limit: number): Promise<boolean[]> {
  const rows = await db.select({ covered: answers.covered }).from(answers).where(eq(answers.userId, userId)).orderBy(desc(answers.createdAt)).limit(limit)
  return rows.map((r) => r.covered)
}

async function setSlice(db: Db, conversationId: number, slice: HandoffState | null): Promise<void> {
  await db.execute(
    slice === null
      ? sql`UPDATE conversations SET state = state - ${HANDOFF_STATE_KEY}::text WHERE id = ${conversationId}`
      : sql`UPDATE conversations SET state = state || jsonb_build_object(${HANDOFF_STATE_KEY}::text, ${JSON.stringify(slice)}::jsonb) WHERE id = ${conversationId}`,
  )
}

/** Applies one handoff effect; the owner is always this event's user and conversation, never a value from the step. */
export async function applyCaseEffect(db: Db, effect: CaseEffect, at: EffectTarget): Promise<void> {
  const { userId, conversationId } = at
  if (!userId || conversationId === undefined) return
  const now = at.now.toISOString()
  switch (effect.type) {
    case 'case-start': {
      // The partial unique index allows one active case per chat: a second start finds the first.
      const inserted = rowsOf<RawRow<Pick<Case, 'id'>>>(
        await db.execute(sql`
          INSERT INTO cases (conversation_id, user_id, status, reason, assessment_id, intake, created_at)
          VALUES (${conversationId}, ${userId}, 'intake', ${effect.reason},
            (SELECT id FROM assessments WHERE id = ${effect.assessmentId ?? null}::uuid AND user_id = ${userId}),
            ${JSON.stringify(effect.intake)}::jsonb, ${now}::timestamptz)
          ON CONFLICT (conversation_id) WHERE status IN ('intake', 'open') DO NOTHING
          RETURNING id`),
      )
      if (inserted[0]) {
        await setSlice(db, conversationId, { caseId: inserted[0].id, status: 'intake', asking: effect.asking })
        return
      }
      const [existing] = await db
        .select({ id: cases.id, status: cases.status })
        .from(cases)
        .where(and(eq(cases.conversationId, conversationId), inArray(cases.status, [...ACTIVE])))
      if (existing && existing.status !== 'resolved') {
        await setSlice(db, conversationId, { caseId: existing.id, status: existing.status, ...(existing.status === 'intake' ? { asking: effect.asking } : {}) })
      }
      return
    }
    case 'case-update': {
      const updated = await db
        .update(cases)
        .set({ intake: effect.intake })
        .where(and(eq(cases.id, effect.caseId), eq(cases.conversationId, conversationId), eq(cases.status, 'intake')))
        .returning({ id: cases.id })
      if (updated.length > 0) await setSlice(db, conversationId, { caseId: effect.caseId, status: 'intake', asking: effect.asking })
      return
    }
    case 'case-open': {
      const opened = await db
        .update(cases)
        .set({ status: 'open', intake: effect.intake, openedAt: at.now, dueAt: new Date(effect.dueAt), assigneeId: effect.assigneeId ?? null })
        .where(and(eq(cases.id, effect.caseId), eq(cases.conversationId, conversationId), eq(cases.status, 'intake')))
        .returning({ id: cases.id })
      if (opened.length > 0) await setSlice(db, conversationId, { caseId: effect.caseId, status: 'open' })
      return
    }
    case 'case-user-message':
      await db
        .update(cases)
        .set({ lastUserMessageAt: at.now })
        .where(and(eq(cases.id, effect.caseId), eq(cases.conversationId, conversationId), eq(cases.status, 'open')))
      if (effect.replyToken) {
        await db
          .insert(replyTokens)
          .values({ conversationId, token: effect.replyToken, receivedAt: at.now })
          .onConflictDoUpdate({ target: replyTokens.conversationId, set: { token: sql`excluded.token`, receivedAt: sql`excluded.received_at` } })
      }
      return
    case 'case-close':
      await db
        .update(cases)
        .set({ status: 'resolved', resolvedAt: at.now, resolvedBy: effect.by })
        .where(and(eq(cases.id, effect.caseId), eq(cases.conversationId, conversationId), inArray(cases.status, [...ACTIVE])))
      await setSlice(db, conversationId, null)
      // The token was kept for a consultant's reply; nobody may use it now.
      await db.delete(replyTokens).where(eq(replyTokens.conversationId, conversationId))
      return
    case 'case-rating':
      await db
        .update(cases)
        .set({ satisfaction: effect.score })
        .where(and(eq(cases.id, effect.caseId), eq(cases.userId, userId), eq(cases.status, 'resolved')))
      return
  }
}

/** The handoff's effects, each written by applyCaseEffect. */
export const caseEffects: EffectAppliers = {
  'case-start': applyCaseEffect,
  'case-update': applyCaseEffect,
  'case-open': applyCaseEffect,
  'case-user-message': applyCaseEffect,
  'case-close': applyCaseEffect,
  'case-rating': applyCaseEffect,
}
