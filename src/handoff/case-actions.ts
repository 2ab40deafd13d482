import { and, eq, sql } from 'drizzle-orm'
import { audit, type Staff } from '../console/auth.js'
import { caseNotes, cases, messages as messageLog, outbox, replyTokens } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
import { plainText, text } from '../chat/messages.js'
import type { LineMessage } from '../line/limits.js'
import { enqueueOutbox, REPLY_TOKEN_TTL_MS } from '../line/outbox.js'
import { canAssign, canView, type AssignTarget } from './cases.js'
import { caseClosedMessages } from './flow.js'
import { HANDOFF_STATE_KEY, type Case } from './state.js'

/**
 * What consultants do to a case. Each action is one transaction that also writes the audit log; the
 * messages it queues are delivered by the caller after commit (deps.deliver), so a failed send is
 * left in the outbox — visible and retryable — never lost with a rolled-back request.
 */

/** A refused action, with the zh-TW text the console shows. */
export class CaseActionError extends Error {
  override name = 'CaseActionError'
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409,
  ) {
    super(message)
  }
}

interface LockedCase extends Pick<Case, 'id' | 'conversationId' | 'status' | 'assigneeId'> {
  chatId: string
}

/**
 * Locks the case row for the rest of the transaction. Concurrent replies to one case thus queue
 * their outbox rows in the order they commit, and the outbox (one recipient at a time, lowest id
 * first) delivers them in that order.
 */
async function lockCase(tx: Db, caseId: number): Promise<LockedCase> {
  const row = rowsOf<RawRow<Pick<LockedCase, 'id' | 'conversationId' | 'chatId' | 'status' | 'assigneeId'>>>(
    await tx.execute(sql`
      SELECT c.id, c.conversation_id, v.chat_id, c.status, c.assignee_id
      FROM cases c JOIN conversations v ON v.id = c.conversation_id WHERE c.id = ${caseId} FOR UPDATE OF c`),
  )[0]
  if (!row) throw new CaseActionError('找不到這個案件', 404)
  return { id: row.id, conversationId: row.conversation_id, chatId: row.chat_id, status: row.status, assigneeId: row.assignee_id }
}

function mustView(staff: Staff, c: LockedCase): void {
  if (!canView(staff, c)) throw new CaseActionError('這個案件已指派給其他顧問', 403)
}

/** The reply token to use: the user's latest one while LINE still accepts it, else none (push). */
export function pickReplyToken(row: { token: string; receivedAt: Date } | undefined, now: Date, ttlMs = REPLY_TOKEN_TTL_MS): string | undefined {
  if (!row) return undefined
  return now.getTime() - row.receivedAt.getTime() < ttlMs ? row.token : undefined
}

/** Takes the conversation's stored reply token (single use: whoever takes it, only they may use it). */
async function takeReplyToken(tx: Db, conversationId: number, now: Date): Promise<string | undefined> {
  const [row] = await tx.delete(replyTokens).where(eq(replyTokens.conversationId, conversationId)).returning({ token: replyTokens.token, receivedAt: replyTokens.receivedAt })
  return pickReplyToken(row, now)
}

/** Queues messages to the user (reply token when fresh, else push) and records them in the thread. */
async function sendToUser(tx: Db, c: LockedCase, messages: LineMessage[], staffId: string | null, now: Date): Promise<{ ids: number[]; via: 'reply' | 'push' }> {
  const replyToken = await takeReplyToken(tx, c.conversationId, now)
  const ids = await enqueueOutbox(tx, { to: c.chatId, replyToken, messages, conversationId: c.conversationId })
  for (const m of messages) {
    await tx
      .insert(messageLog)
      .values({ conversationId: c.conversationId, direction: 'out', kind: m.type, text: plainText(m), payload: m, outboxId: ids[0] ?? null, staffId })
  }
  return { ids, via: replyToken ? 'reply' : 'push' }
}

const inTransaction = <T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> => db.transaction((txn) => work(txn as unknown as Db))

export const REPLY_MAX_CHARS = 2000

/** A consultant's reply: queued to the user; the case is taken by the replier when nobody had it. */
export async function replyToCase(db: Db, input: { caseId: number; staff: Staff; body: string; now: Date }): Promise<number[]> {
  const { staff, now } = input
  return inTransaction(db, async (tx) => {
    const c = await lockCase(tx, input.caseId)
    mustView(staff, c)
    if (c.status !== 'open') throw new CaseActionError(c.status === 'resolved' ? '案件已結案，無法再傳訊息' : '使用者還在填寫資料，案件開啟後才能回覆', 409)
    const { ids, via } = await sendToUser(tx, c, [text(input.body)], staff.id, now)
    await tx
      .update(cases)
      .set({ firstResponseAt: sql`coalesce(${cases.firstResponseAt}, ${now.toISOString()}::timestamptz)`, lastStaffMessageAt: now, assigneeId: sql`coalesce(${cases.assigneeId}, ${staff.id}::uuid)` })
      .where(eq(cases.id, c.id))
    await audit(tx, staff.id, 'case.reply', `case:${c.id}`, { outboxId: ids[0], via, chars: Array.from(input.body).length, took: c.assigneeId === null })
    return ids
  })
}

/** Puts a failed delivery back in the queue; it is sent again with its original retry key. */
export async function retryDelivery(db: Db, input: { caseId: number; outboxId: number; staff: Staff }): Promise<number[]> {
  return inTransaction(db, async (tx) => {
    const c = await lockCase(tx, input.caseId)
    mustView(input.staff, c)
    const reset = await tx
      .update(outbox)
      .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, lockedUntil: null })
      .where(and(eq(outbox.id, input.outboxId), eq(outbox.conversationId, c.conversationId), eq(outbox.status, 'failed')))
      .returning({ id: outbox.id })
    if (reset.length === 0) throw new CaseActionError('這則訊息不需要重試（已送出或正在傳送）', 409)
    await audit(tx, input.staff.id, 'case.retry', `case:${c.id}`, { outboxId: input.outboxId })
    return [input.outboxId]
  })
}

export const NOTE_MAX_CHARS = 2000

/** An internal note: visible to staff only, never sent. */
export async function addNote(db: Db, input: { caseId: number; staff: Staff; body: string }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const c = await lockCase(tx, input.caseId)
    mustView(input.staff, c)
    await tx.insert(caseNotes).values({ caseId: c.id, staffId: input.staff.id, text: input.body })
    await audit(tx, input.staff.id, 'case.note', `case:${c.id}`, { chars: Array.from(input.body).length })
  })
}

/** Assigns the case to `target` (null: back to the unassigned queue), within the rules of canAssign. */
export async function assignCase(db: Db, input: { caseId: number; staff: Staff; target: AssignTarget }): Promise<void> {
  await inTransaction(db, async (tx) => {
    const c = await lockCase(tx, input.caseId)
    mustView(input.staff, c)
    if (!canAssign(input.staff, c, input.target)) throw new CaseActionError('您不能把這個案件指派給這個帳號', 403)
    await tx.update(cases).set({ assigneeId: input.target?.id ?? null }).where(eq(cases.id, c.id))
    await audit(tx, input.staff.id, 'case.assign', `case:${c.id}`, { from: c.assigneeId, to: input.target?.id ?? null })
  })
}

/**
 * Closes the case as the contract in state.ts says: resolved, the conversation back to the bot,
 * and the closing message (with the satisfaction question) queued to the user — all or nothing.
 */
export async function resolveCase(db: Db, input: { caseId: number; staff: Staff; now: Date }): Promise<number[]> {
  const { staff, now } = input
  return inTransaction(db, async (tx) => {
    const c = await lockCase(tx, input.caseId)
    mustView(staff, c)
    if (c.status === 'resolved') throw new CaseActionError('案件已經結案了', 409)
    await tx
      .update(cases)
      .set({ status: 'resolved', resolvedAt: now, resolvedBy: `staff:${staff.username}`, assigneeId: sql`coalesce(${cases.assigneeId}, ${staff.id}::uuid)` })
      .where(eq(cases.id, c.id))
    await tx.execute(sql`UPDATE conversations SET state = state - ${HANDOFF_STATE_KEY}::text WHERE id = ${c.conversationId}`)
    // The closing message is the bot's copy, so it is recorded without a consultant's name.
    const { ids, via } = await sendToUser(tx, c, caseClosedMessages(c.id, 'consultant'), null, now)
    await audit(tx, staff.id, 'case.resolve', `case:${c.id}`, { outboxId: ids[0], via })
    return ids
  })
}
