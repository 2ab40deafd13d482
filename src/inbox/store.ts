import { sql } from 'drizzle-orm'
import { chatOf, type WebhookEvent } from '../line/events.js'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'

export interface InboxRow {
  webhookEventId: string
  orderKey: string
  eventType: string
  payload: WebhookEvent
  attempts: number
}

/**
 * Records accepted events before the webhook answers 200. A redelivered event (same
 * webhookEventId) is ignored, so it is never handled twice. Returns how many were new.
 */
export async function enqueueEvents(db: Db, events: WebhookEvent[]): Promise<number> {
  if (events.length === 0) return 0
  const values = events.map((e) => {
    const chat = chatOf(e.source)
    const orderKey = chat ? `${chat.chatType}:${chat.chatId}` : `event:${e.webhookEventId}`
    return sql`(${e.webhookEventId}, ${orderKey}, ${e.type}, ${e.timestamp}, ${e.source?.userId ?? null}, ${JSON.stringify(e)}::jsonb)`
  })
  const result = await db.execute(sql`
    INSERT INTO inbox (webhook_event_id, order_key, event_type, event_timestamp, user_id, payload)
    VALUES ${sql.join(values, sql`, `)}
    ON CONFLICT (webhook_event_id) DO NOTHING
    RETURNING webhook_event_id`)
  return rowsOf(result).length
}

/**
 * Claims up to `limit` events for `worker`. Only the oldest open event of each chat is claimable,
 * so one chat's events run in order; SKIP LOCKED lets several instances share the queue. A claim
 * is a lease: if the worker dies, the event is claimable again once `leaseSeconds` pass.
 */
export async function claimEvents(db: Db, worker: string, limit: number, leaseSeconds = 120): Promise<InboxRow[]> {
  const result = await db.execute(sql`
    UPDATE inbox SET status = 'processing', locked_by = ${worker},
      locked_until = now() + make_interval(secs => ${leaseSeconds}), attempts = attempts + 1
    WHERE webhook_event_id IN (
      SELECT i.webhook_event_id FROM inbox i
      WHERE (i.status = 'pending' OR (i.status = 'processing' AND i.locked_until < now()))
        AND NOT EXISTS (
          SELECT 1 FROM inbox j
          WHERE j.order_key = i.order_key AND j.status IN ('pending', 'processing')
            AND (j.event_timestamp, j.seq) < (i.event_timestamp, i.seq))
      ORDER BY i.event_timestamp, i.seq
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING webhook_event_id, order_key, event_type, payload, attempts`)
  return rowsOf<{ webhook_event_id: string; order_key: string; event_type: string; payload: WebhookEvent; attempts: number }>(result).map((r) => ({
    webhookEventId: r.webhook_event_id,
    orderKey: r.order_key,
    eventType: r.event_type,
    payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as WebhookEvent) : r.payload,
    attempts: r.attempts,
  }))
}

/** Marks an event done; `worker` must still hold it (a lease taken over by another worker wins). */
export async function completeEvent(db: Db, webhookEventId: string, worker: string, error?: string): Promise<boolean> {
  const result = await db.execute(sql`
    UPDATE inbox SET status = 'done', processed_at = now(), locked_until = NULL, last_error = ${error ?? null}
    WHERE webhook_event_id = ${webhookEventId} AND locked_by = ${worker} AND status = 'processing'
    RETURNING 1`)
  return rowsOf(result).length === 1
}

/** Gives an event back after a failure: retried later, or `failed` after too many attempts. */
export async function releaseEvent(db: Db, webhookEventId: string, worker: string, error: string, maxAttempts: number): Promise<void> {
  await db.execute(sql`
    UPDATE inbox SET
      status = CASE WHEN attempts >= ${maxAttempts} THEN 'failed' ELSE 'pending' END,
      locked_until = NULL, last_error = ${error.slice(0, 1000)}
    WHERE webhook_event_id = ${webhookEventId} AND locked_by = ${worker} AND status = 'processing'`)
}

export async function inboxCounts(db: Db): Promise<Record<string, number>> {
  const rows = rowsOf<{ status: string; n: number | string }>(await db.execute(sql`SELECT status, count(*) AS n FROM inbox GROUP BY status`))
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
}
