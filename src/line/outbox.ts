import { and, eq, like, notExists, sql } from 'drizzle-orm'
import { outbox, users } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
import { LineApiError, ReplyTokenRejected, type LineApi } from './client.js'
import { toBatches, type LineMessage } from './limits.js'

/** Reply tokens live about a minute; past this age we push instead of trying the token. */
export const REPLY_TOKEN_TTL_MS = 50_000

export interface OutboxEntry {
  to: string
  replyToken?: string
  messages: LineMessage[]
  webhookEventId?: string
  conversationId?: number
}

/** Queues messages for delivery; call inside the transaction that completes the event. */
export async function enqueueOutbox(db: Db, entry: OutboxEntry): Promise<number[]> {
  const ids: number[] = []
  const batches = toBatches(entry.messages)
  for (const [i, batch] of batches.entries()) {
    const [row] = await db
      .insert(outbox)
      .values({
        webhookEventId: entry.webhookEventId ?? null,
        conversationId: entry.conversationId ?? null,
        to: entry.to,
        replyToken: i === 0 ? (entry.replyToken ?? null) : null,
        messages: batch,
        retryKey: crypto.randomUUID(),
      })
      .returning({ id: outbox.id })
    ids.push(row!.id)
  }
  return ids
}

/** A claimed row, as the raw claim returns it. */
type OutboxRow = RawRow<Pick<typeof outbox.$inferSelect, 'id' | 'to' | 'replyToken' | 'messages' | 'retryKey' | 'attempts' | 'createdAt'>> & {
  /** The previous attempt was cut off (its process died during the LINE call). */
  interrupted: boolean
}

/** The lock of a delivery in progress, from now. */
const lockedFromNow = () => sql`now() + make_interval(secs => ${SENDING_LOCK_SECONDS})`

export interface DeliveryResult {
  id: number
  outcome: 'reply' | 'push' | 'retry-later' | 'failed'
  error?: string
}

export interface DeliveryOptions {
  now?: () => number
  maxAttempts?: number
  onResult?: (r: DeliveryResult) => void
  /** The instance sending (see `reclaimLeases`). */
  owner?: string
}

/**
 * How long a claimed delivery is locked unless renewed; the lock is renewed every third of it while
 * the LINE call (with its retries) is in progress, so a delivery of a process that died is retried
 * within this many seconds, and a slow one in a live process is never taken over.
 */
export const SENDING_LOCK_SECONDS = 20

/**
 * Claims due outbox rows (the oldest open one per recipient, so a user's messages keep their order)
 * and delivers them: by reply token while it is fresh, else — or when LINE rejects the token — by
 * push with the row's retry key. Failures are retried later with backoff, then marked failed.
 */
export async function deliverDue(db: Db, line: LineApi, options: DeliveryOptions & { ids?: number[]; limit?: number } = {}): Promise<DeliveryResult[]> {
  const now = options.now ?? Date.now
  const onlyIds = options.ids ? sql`AND o.id IN (${sql.join(options.ids.map((id) => sql`${id}`), sql`, `)})` : sql``
  const claimed = rowsOf<OutboxRow>(
    await db.execute(sql`
      WITH due AS (
        SELECT o.id, o.status AS was FROM outbox o
        WHERE (o.status = 'pending' OR (o.status = 'sending' AND o.locked_until < now()))
          AND o.next_attempt_at <= now() ${onlyIds}
          AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p."to" = o."to" AND p.status IN ('pending', 'sending') AND p.id < o.id)
        ORDER BY o.id
        LIMIT ${options.limit ?? 20}
        FOR UPDATE SKIP LOCKED)
      UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ${lockedFromNow()},
        locked_by = ${options.owner ?? null}
      FROM due WHERE outbox.id = due.id
      RETURNING outbox.id, outbox."to", outbox.reply_token, outbox.messages, outbox.retry_key, outbox.attempts, outbox.created_at,
        due.was = 'sending' AS interrupted`),
  )
  const results: DeliveryResult[] = []
  for (const row of claimed) {
    const result = await deliverOne(db, line, row, now(), options.maxAttempts ?? 6)
    options.onResult?.(result)
    results.push(result)
  }
  return results
}

async function deliverOne(db: Db, line: LineApi, row: OutboxRow, now: number, maxAttempts: number): Promise<DeliveryResult> {
  const id = row.id
  const renew = setInterval(
    () =>
      void db
        .update(outbox)
        .set({ lockedUntil: lockedFromNow() })
        .where(and(eq(outbox.id, id), eq(outbox.status, 'sending')))
        .catch(() => {}),
    (SENDING_LOCK_SECONDS * 1000) / 3,
  )
  try {
    return await attemptDelivery(db, line, row, id, now, maxAttempts)
  } finally {
    clearInterval(renew)
  }
}

async function attemptDelivery(db: Db, line: LineApi, row: OutboxRow, id: number, now: number, maxAttempts: number): Promise<DeliveryResult> {
  const messages = row.messages as LineMessage[]
  const fresh = row.reply_token !== null && now - new Date(row.created_at).getTime() < REPLY_TOKEN_TTL_MS
  try {
    if (fresh && row.reply_token) {
      try {
        await line.reply(row.reply_token, messages)
        await markSent(db, id, 'reply')
        return { id, outcome: 'reply' }
      } catch (error) {
        if (!(error instanceof ReplyTokenRejected)) throw error
        // A fresh token is refused only once used: the cut-off attempt's reply reached LINE, and
        // pushing now would deliver it twice.
        if (row.interrupted) {
          await markSent(db, id, 'reply')
          return { id, outcome: 'reply' }
        }
        // Recorded before pushing: if this process dies during the push, the next attempt pushes
        // again with the same retry key (which LINE accepts once) instead of reading the refused
        // token as a reply that got through.
        await db.update(outbox).set({ replyToken: null }).where(eq(outbox.id, id))
      }
    }
    await line.push(row.to, messages, row.retry_key)
    await markSent(db, id, 'push')
    return { id, outcome: 'push' }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const permanent = error instanceof LineApiError && error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 429
    const giveUp = permanent || row.attempts >= maxAttempts
    await db
      .update(outbox)
      .set({
        status: giveUp ? 'failed' : 'pending',
        lastError: message.slice(0, 1000),
        lockedUntil: null,
        // the reply token is spent or stale by the next try: later attempts push
        replyToken: null,
        nextAttemptAt: sql`now() + make_interval(secs => ${Math.min(600, 5 * 2 ** (row.attempts - 1))})`,
      })
      .where(eq(outbox.id, id))
    return { id, outcome: giveUp ? 'failed' : 'retry-later', error: message }
  }
}

async function markSent(db: Db, id: number, via: 'reply' | 'push'): Promise<void> {
  await db
    .update(outbox)
    .set({ status: 'sent', sentVia: via, sentAt: sql`now()`, lockedUntil: null })
    .where(eq(outbox.id, id))
  // A reply to a user who has since deleted their data (the deletion's own confirmation): keep no trace of them.
  await db
    .update(outbox)
    .set({ to: 'deleted', messages: [], replyToken: null })
    .where(and(eq(outbox.id, id), like(outbox.to, 'U%'), notExists(db.select({ one: sql`1` }).from(users).where(eq(users.id, outbox.to)))))
}
