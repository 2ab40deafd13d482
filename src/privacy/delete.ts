import { and, eq, sql } from 'drizzle-orm'
import type { EffectAppliers } from '../chat/types.js'
import { conversations as conversationsTable } from '../db/schema.js'
import type { Db } from '../db/types.js'

/**
 * "刪除我的資料": nothing that names or quotes the user remains — their messages, assessment answers
 * and profile are deleted; their questions, cases and assessment levels stay only as anonymous rows
 * (no text, no id), so the PMO's counts of questions, coverage, handoffs and levels do not change.
 */
export async function deleteUserData(db: Db, userId: string): Promise<void> {
  const conversations = (
    await db
      .select({ id: conversationsTable.id })
      .from(conversationsTable)
      .where(and(eq(conversationsTable.chatType, 'user'), eq(conversationsTable.chatId, userId)))
  ).map((r) => r.id)
  for (const id of conversations) await db.execute(sql`DELETE FROM messages WHERE conversation_id = ${id}`)
  await db.execute(sql`DELETE FROM messages WHERE user_id = ${userId}`)
  await db.execute(sql`UPDATE answers SET user_id = NULL, question = '', search_query = '', answer_text = '' WHERE user_id = ${userId}`)
  await db.execute(sql`UPDATE cases SET user_id = 'deleted', intake = '{}'::jsonb, summary = NULL, summary_facts = NULL, assessment_id = NULL,
    status = 'resolved', resolved_at = coalesce(resolved_at, now()), resolved_by = coalesce(resolved_by, 'user-deleted') WHERE user_id = ${userId}`)
  // Levels stay for the PMO's statistics under a key that names no one; answers and results go.
  await db.execute(sql`UPDATE assessments SET user_id = ${`deleted:${crypto.randomUUID()}`}, answers = '{}'::jsonb, result = NULL,
    status = CASE WHEN status = 'in_progress' THEN 'cancelled' ELSE status END WHERE user_id = ${userId}`)
  // The conversation stays as an anonymous anchor for those rows.
  await db.execute(sql`UPDATE conversations SET chat_id = 'deleted:' || id, user_id = NULL, state = '{}'::jsonb WHERE chat_type = 'user' AND chat_id = ${userId}`)
  // Campaigns: not yet sent is not sent; what was sent stays counted under a key that names no one.
  await db.execute(sql`DELETE FROM campaign_recipients WHERE user_id = ${userId} AND status = 'queued'`)
  await db.execute(sql`UPDATE campaign_recipients SET user_id = 'deleted:' || gen_random_uuid()::text WHERE user_id = ${userId}`)
  await db.execute(sql`DELETE FROM users WHERE id = ${userId}`)
  // Keep inbox ids (they stop redeliveries from being handled again) but drop what the events said and whose they were.
  await db.execute(sql`UPDATE inbox SET payload = '{}'::jsonb, user_id = NULL, order_key = 'deleted:' || webhook_event_id WHERE user_id = ${userId} AND status <> 'pending'`)
  // Replies already delivered to the user; the confirmation still queued is scrubbed once sent (markSent).
  await db.execute(sql`DELETE FROM outbox WHERE "to" = ${userId} AND status IN ('sent', 'failed')`)
}

export const privacyEffects: EffectAppliers = {
  'delete-user-data': async (db, _effect, at) => {
    if (at.userId) await deleteUserData(db, at.userId)
  },
}
