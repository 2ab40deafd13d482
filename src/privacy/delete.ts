import { and, eq, inArray, ne, sql } from 'drizzle-orm'
import type { EffectAppliers } from '../chat/types.js'
import { answers, assessments, campaignRecipients, cases, conversations as conversationsTable, inbox, messages, outbox, users } from '../db/schema.js'
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
  for (const id of conversations) await db.delete(messages).where(eq(messages.conversationId, id))
  await db.delete(messages).where(eq(messages.userId, userId))
  await db.update(answers).set({ userId: null, question: '', searchQuery: '', answerText: '' }).where(eq(answers.userId, userId))
  await db
    .update(cases)
    .set({
      userId: 'deleted',
      intake: {},
      summary: null,
      summaryFacts: null,
      assessmentId: null,
      status: 'resolved',
      resolvedAt: sql`coalesce(${cases.resolvedAt}, now())`,
      resolvedBy: sql`coalesce(${cases.resolvedBy}, 'user-deleted')`,
    })
    .where(eq(cases.userId, userId))
  // Levels stay for the PMO's statistics under a key that names no one; answers and results go.
  await db
    .update(assessments)
    .set({
      userId: `deleted:${crypto.randomUUID()}`,
      answers: {},
      result: null,
      status: sql`CASE WHEN ${assessments.status} = 'in_progress' THEN 'cancelled' ELSE ${assessments.status} END`,
    })
    .where(eq(assessments.userId, userId))
  // The conversation stays as an anonymous anchor for those rows.
  await db
    .update(conversationsTable)
    .set({ chatId: sql`'deleted:' || ${conversationsTable.id}`, userId: null, state: {} })
    .where(and(eq(conversationsTable.chatType, 'user'), eq(conversationsTable.chatId, userId)))
  // Campaigns: not yet sent is not sent; what was sent stays counted under a key that names no one.
  await db.delete(campaignRecipients).where(and(eq(campaignRecipients.userId, userId), eq(campaignRecipients.status, 'queued')))
  await db
    .update(campaignRecipients)
    .set({ userId: sql`'deleted:' || gen_random_uuid()::text` })
    .where(eq(campaignRecipients.userId, userId))
  await db.delete(users).where(eq(users.id, userId))
  // Keep inbox ids (they stop redeliveries from being handled again) but drop what the events said and whose they were.
  await db
    .update(inbox)
    .set({ payload: {}, userId: null, orderKey: sql`'deleted:' || ${inbox.webhookEventId}` })
    .where(and(eq(inbox.userId, userId), ne(inbox.status, 'pending')))
  // Replies already delivered to the user; the confirmation still queued is scrubbed once sent (markSent).
  await db.delete(outbox).where(and(eq(outbox.to, userId), inArray(outbox.status, ['sent', 'failed'])))
}

export const privacyEffects: EffectAppliers = {
  'delete-user-data': async (db, _effect, at) => {
    if (at.userId) await deleteUserData(db, at.userId)
  },
}
