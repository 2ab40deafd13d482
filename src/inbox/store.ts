import { and, count, eq, sql } from 'drizzle-orm'
import { chatOf, type WebhookEvent } from '../line/events.js'
import { inbox, outbox } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'

type Inbox = typeof inbox.$inferSelect

/** A claimed event. */
export type InboxRow = Pick<Inbox, 'webhookEventId' | 'orderKey' | 'eventType' | 'attempts'> & { payload: WebhookEvent }

/**
 * Records accepted events before the webhook answers 200. A redelivered event (same
 * webhookEventId) is ignored, so it is never handled twice. Returns how many were new.
 */
export async function enqueueEvents(db: Db, events: WebhookEvent[]): Promise<number> {
  return (await insertEvents(db, events)).length
}

/** Inserts events, skipping known ids (and duplicates within the list); returns the ids that were new. */
async function insertEvents(db: Db, events: WebhookEvent[]): Promise<string[]> {
  if (events.length === 0) return []
  const unique = [...new Map(events.map((e) => [e.webhookEventId, e])).values()]
  const rows = unique.map((e) => {
    const chat = chatOf(e.source)
    const orderKey = chat ? `${chat.chatType}:${chat.chatId}` : `event:${e.webhookEventId}`
    return { id: e.webhookEventId, orderKey, type: e.type, ts: e.timestamp, userId: e.source?.userId ?? null, payload: e }
  })
  // One jsonb parameter for the whole batch: binding six parameters per event cost more (in the
  // driver's encoding, and in PGlite's on this thread) than the INSERT itself.
  const result = await db.execute(sql`
    INSERT INTO inbox (webhook_event_id, order_key, event_type, event_timestamp, user_id, payload)
    SELECT r.id, r."orderKey", r.type, r.ts, r."userId", r.payload
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id text, "orderKey" text, type text, ts bigint, "userId" text, payload jsonb)
    ON CONFLICT (webhook_event_id) DO NOTHING
    RETURNING webhook_event_id`)
  return rowsOf<RawRow<Pick<Inbox, 'webhookEventId'>>>(result).map((r) => r.webhook_event_id)
}

/**
 * A claim lapses this soon unless renewed (every third of it while the event is being handled), so
 * an event in flight when a process dies is taken up by another — or the restarted — instance
 * within this many seconds.
 */
export const DEFAULT_LEASE_SECONDS = 20

/**
 * Claims up to `limit` events for `worker`. Only the oldest open event of each chat is claimable,
 * so one chat's events run in order; SKIP LOCKED lets several instances share the queue. A claim
 * is a lease: if the worker dies, the event is claimable again once `leaseSeconds` pass.
 */
export async function claimEvents(db: Db, worker: string, limit: number, leaseSeconds = DEFAULT_LEASE_SECONDS): Promise<InboxRow[]> {
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
  return rowsOf<RawRow<Pick<Inbox, 'webhookEventId' | 'orderKey' | 'eventType' | 'payload' | 'attempts'>>>(result).map((r) => ({
    webhookEventId: r.webhook_event_id,
    orderKey: r.order_key,
    eventType: r.event_type,
    payload: r.payload as WebhookEvent,
    attempts: r.attempts,
  }))
}

/**
 * Ends leases now, so their events and deliveries are claimable at once (a delivery stays 'sending',
 * so its next attempt knows the last one was cut off). With `owner`, only that instance's leases: it
 * calls this as it starts, when whatever it held belongs to a run that is gone. Without, every lease:
 * only for a database no other live process uses (the embedded one).
 */
export async function reclaimLeases(db: Db, owner?: string): Promise<{ events: number; deliveries: number }> {
  const lapsed = sql`now() - interval '1 second'`
  const events = await db
    .update(inbox)
    .set({ lockedUntil: lapsed })
    .where(and(eq(inbox.status, 'processing'), owner === undefined ? undefined : eq(inbox.lockedBy, owner)))
    .returning({ id: inbox.webhookEventId })
  const deliveries = await db
    .update(outbox)
    .set({ lockedUntil: lapsed })
    .where(and(eq(outbox.status, 'sending'), owner === undefined ? undefined : eq(outbox.lockedBy, owner)))
    .returning({ id: outbox.id })
  return { events: events.length, deliveries: deliveries.length }
}

/** Extends a lease this worker still holds: work in progress keeps its event, a dead worker's lapses quickly. */
export async function renewLease(db: Db, webhookEventId: string, worker: string, leaseSeconds: number): Promise<void> {
  await db
    .update(inbox)
    .set({ lockedUntil: sql`now() + make_interval(secs => ${leaseSeconds})` })
    .where(heldBy(webhookEventId, worker))
}

/** The event, while `worker` still holds it. */
function heldBy(webhookEventId: string, worker: string) {
  return and(eq(inbox.webhookEventId, webhookEventId), eq(inbox.lockedBy, worker), eq(inbox.status, 'processing'))
}

/** Marks an event done; `worker` must still hold it (a lease taken over by another worker wins). */
export async function completeEvent(db: Db, webhookEventId: string, worker: string, error?: string): Promise<boolean> {
  const done = await db
    .update(inbox)
    .set({ status: 'done', processedAt: sql`now()`, lockedUntil: null, lastError: error ?? null })
    .where(heldBy(webhookEventId, worker))
    .returning({ id: inbox.webhookEventId })
  return done.length === 1
}

/** Gives an event back after a failure: retried later, or `failed` after too many attempts. */
export async function releaseEvent(db: Db, webhookEventId: string, worker: string, error: string, maxAttempts: number): Promise<void> {
  await db
    .update(inbox)
    .set({
      status: sql`CASE WHEN ${inbox.attempts} >= ${maxAttempts} THEN 'failed' ELSE 'pending' END`,
      lockedUntil: null,
      lastError: error.slice(0, 1000),
    })
    .where(heldBy(webhookEventId, worker))
}

export async function inboxCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.select({ status: inbox.status, n: count() }).from(inbox).groupBy(inbox.status)
  return Object.fromEntries(rows.map((r) => [r.status, r.n]))
}

/** Runs `f` after the I/O already received has been handled (Node's setImmediate; a 0 ms timer elsewhere). */
const nextTurn: (f: () => void) => void = typeof setImmediate === 'function' ? (f) => void setImmediate(f) : (f) => void setTimeout(f, 0)

/**
 * Group commit for webhook acknowledgements: requests that arrive while `maxWrites` writes are in
 * flight are stored together in the next single INSERT. Most of a statement's cost is fixed (on
 * PGlite about 0.5 ms per statement against 45 µs per row), so under load each request waits for one
 * or two commits instead of queueing behind all the others, while a quiet moment's request is written
 * at once. Several writes may be in flight so that a new batch is queued at the database at once,
 * not after the previous batch's round trip: while the worker's answer queries hold the database
 * (PGlite's one connection), a batch that waited for the round trip landed behind one more of them.
 * (Peak throughput measured the same with one or four; p99 at 200 req/s was 16–17 ms with four,
 * 28 ms with one.) Each caller learns how many of its events were new once its batch has committed;
 * a failed batch fails every request in it (LINE redelivers).
 *
 * The first write waits one event-loop turn, so requests already waiting in the sockets are read in
 * that turn and join the batch.
 */
export function createInboxWriter(db: Db, { maxBatch = 500, maxWrites = 4 } = {}): (events: WebhookEvent[]) => Promise<number> {
  type Waiting = { events: WebhookEvent[]; resolve: (n: number) => void; reject: (e: unknown) => void }
  const pending: Waiting[] = []
  let writes = 0
  let scheduled = false

  async function write(batch: Waiting[]): Promise<void> {
    try {
      const added = new Set(await insertEvents(db, batch.flatMap((b) => b.events)))
      for (const b of batch) b.resolve(b.events.filter((e) => added.delete(e.webhookEventId)).length)
    } catch (error) {
      // One request's events must not fail the others written with them: each is tried alone.
      if (batch.length === 1) return batch[0]!.reject(error)
      for (const b of batch) {
        try {
          b.resolve((await insertEvents(db, b.events)).length)
        } catch (alone) {
          b.reject(alone)
        }
      }
    }
  }

  function startWrites(): void {
    while (pending.length > 0 && writes < maxWrites) {
      const batch: Waiting[] = []
      let size = 0
      while (pending.length > 0 && (batch.length === 0 || size + pending[0]!.events.length <= maxBatch)) {
        const next = pending.shift()!
        batch.push(next)
        size += next.events.length
      }
      writes++
      void write(batch).finally(() => {
        writes--
        startWrites()
      })
    }
  }

  return (events) => {
    if (events.length === 0) return Promise.resolve(0)
    return new Promise<number>((resolve, reject) => {
      pending.push({ events, resolve, reject })
      if (!scheduled && writes < maxWrites) {
        scheduled = true
        nextTurn(() => {
          scheduled = false
          startWrites()
        })
      }
    })
  }
}
