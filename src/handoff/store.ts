import { sql } from 'drizzle-orm'
import type { EffectAppliers, EffectTarget } from '../chat/types.js'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import { HANDOFF_STATE_KEY, type CaseEffect, type CaseIntake, type CaseReason, type HandoffState } from './state.js'

/** Reads and writes of the chat side of a handoff. Routes only read; effects write in the event's transaction. */

export interface CaseRow {
  id: number
  conversationId: number
  userId: string
  status: 'intake' | 'open' | 'resolved'
  reason: CaseReason
  assessmentId: string | null
  intake: CaseIntake
}

type RawCase = { id: number | string; conversation_id: number | string; user_id: string; status: CaseRow['status']; reason: CaseReason; assessment_id: string | null; intake: unknown }

function toCase(r: RawCase): CaseRow {
  const intake = (r.intake ?? {}) as CaseIntake
  return { id: Number(r.id), conversationId: Number(r.conversation_id), userId: r.user_id, status: r.status, reason: r.reason, assessmentId: r.assessment_id, intake }
}

const CASE_COLUMNS = sql`c.id, c.conversation_id, c.user_id, c.status, c.reason, c.assessment_id, c.intake`

/** The intake or open case of this user's 1:1 chat, if any. */
export async function loadActiveCase(db: Db, chatId: string): Promise<CaseRow | undefined> {
  const rows = rowsOf<RawCase>(
    await db.execute(sql`
      SELECT ${CASE_COLUMNS} FROM cases c JOIN conversations v ON v.id = c.conversation_id
      WHERE v.chat_type = 'user' AND v.chat_id = ${chatId} AND c.status IN ('intake', 'open')`),
  )
  return rows[0] ? toCase(rows[0]) : undefined
}

/** A case of this user (never another user's, whatever id a postback carries). */
export async function loadUserCase(db: Db, caseId: number, userId: string): Promise<CaseRow | undefined> {
  const rows = rowsOf<RawCase>(await db.execute(sql`SELECT ${CASE_COLUMNS} FROM cases c WHERE c.id = ${caseId} AND c.user_id = ${userId}`))
  return rows[0] ? toCase(rows[0]) : undefined
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
  const rows = rowsOf<{ question: string }>(
    await db.execute(
      which.answerId
        ? sql`SELECT question FROM answers WHERE id = ${which.answerId}::uuid AND user_id = ${userId}`
        : sql`SELECT question FROM answers WHERE user_id = ${userId} AND created_at > now() - ${RECENT_QUESTION}
                ${which.uncoveredOnly ? sql`AND NOT covered` : sql``} ORDER BY created_at DESC LIMIT 1`,
    ),
  )
  return rows[0]?.question
}

/** Whether the user's latest answers were covered, newest first. */
export async function recentCoverage(db: Db, userId: string, limit: number): Promise<boolean[]> {
  const rows = rowsOf<{ covered: boolean }>(await db.execute(sql`SELECT covered FROM answers WHERE user_id = ${userId} ORDER BY created_at DESC LIMIT ${limit}`))
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
      const inserted = rowsOf<{ id: number | string }>(
        await db.execute(sql`
          INSERT INTO cases (conversation_id, user_id, status, reason, assessment_id, intake, created_at)
          VALUES (${conversationId}, ${userId}, 'intake', ${effect.reason},
            (SELECT id FROM assessments WHERE id = ${effect.assessmentId ?? null}::uuid AND user_id = ${userId}),
            ${JSON.stringify(effect.intake)}::jsonb, ${now}::timestamptz)
          ON CONFLICT (conversation_id) WHERE status IN ('intake', 'open') DO NOTHING
          RETURNING id`),
      )
      if (inserted[0]) {
        await setSlice(db, conversationId, { caseId: Number(inserted[0].id), status: 'intake', asking: effect.asking })
        return
      }
      const existing = rowsOf<{ id: number | string; status: 'intake' | 'open' }>(
        await db.execute(sql`SELECT id, status FROM cases WHERE conversation_id = ${conversationId} AND status IN ('intake', 'open')`),
      )[0]
      if (existing) await setSlice(db, conversationId, { caseId: Number(existing.id), status: existing.status, ...(existing.status === 'intake' ? { asking: effect.asking } : {}) })
      return
    }
    case 'case-update': {
      const updated = rowsOf<{ id: unknown }>(
        await db.execute(sql`
          UPDATE cases SET intake = ${JSON.stringify(effect.intake)}::jsonb
          WHERE id = ${effect.caseId} AND conversation_id = ${conversationId} AND status = 'intake' RETURNING id`),
      )
      if (updated.length > 0) await setSlice(db, conversationId, { caseId: effect.caseId, status: 'intake', asking: effect.asking })
      return
    }
    case 'case-open': {
      const opened = rowsOf<{ id: unknown }>(
        await db.execute(sql`
          UPDATE cases SET status = 'open', intake = ${JSON.stringify(effect.intake)}::jsonb, opened_at = ${now}::timestamptz,
            due_at = ${effect.dueAt}::timestamptz, assignee_id = ${effect.assigneeId ?? null}::uuid
          WHERE id = ${effect.caseId} AND conversation_id = ${conversationId} AND status = 'intake' RETURNING id`),
      )
      if (opened.length > 0) await setSlice(db, conversationId, { caseId: effect.caseId, status: 'open' })
      return
    }
    case 'case-user-message':
      await db.execute(sql`UPDATE cases SET last_user_message_at = ${now}::timestamptz WHERE id = ${effect.caseId} AND conversation_id = ${conversationId} AND status = 'open'`)
      if (effect.replyToken) {
        await db.execute(sql`
          INSERT INTO reply_tokens (conversation_id, token, received_at) VALUES (${conversationId}, ${effect.replyToken}, ${now}::timestamptz)
          ON CONFLICT (conversation_id) DO UPDATE SET token = excluded.token, received_at = excluded.received_at`)
      }
      return
    case 'case-close':
      await db.execute(sql`
        UPDATE cases SET status = 'resolved', resolved_at = ${now}::timestamptz, resolved_by = ${effect.by}
        WHERE id = ${effect.caseId} AND conversation_id = ${conversationId} AND status IN ('intake', 'open')`)
      await setSlice(db, conversationId, null)
      // The token was kept for a consultant's reply; nobody may use it now.
      await db.execute(sql`DELETE FROM reply_tokens WHERE conversation_id = ${conversationId}`)
      return
    case 'case-rating':
      await db.execute(sql`UPDATE cases SET satisfaction = ${effect.score} WHERE id = ${effect.caseId} AND user_id = ${userId} AND status = 'resolved'`)
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
