import { Hono } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'
import { sql } from 'drizzle-orm'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { rowsOf, type Db } from '../db/types.js'
import type { LineApi } from '../line/client.js'
import type { BotMetrics } from './types.js'

/** LINE's quota changes slowly and each read is two API calls: read at most this often. */
const QUOTA_MAX_AGE_MS = 5 * 60_000

export interface PrometheusMetrics extends BotMetrics {
  registry: Registry
}

/**
 * This instance's counters (acks, handled events, LINE calls, process figures) plus gauges read at
 * scrape time from the shared database (inbox and outbox depth) and from LINE (the month's quota).
 */
export function createPrometheusMetrics(deps: { db: Db; line: LineApi }): PrometheusMetrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'sme_' })
  const webhookRequests = new Counter({ name: 'sme_webhook_requests_total', help: 'Webhook requests answered, by HTTP status', labelNames: ['status'], registers: [registry] })
  const webhookEvents = new Counter({ name: 'sme_webhook_events_stored_total', help: 'New webhook events stored in the inbox', registers: [registry] })
  const handling = new Histogram({
    name: 'sme_event_handling_seconds',
    help: 'From claiming an event to its reply reaching LINE, by intent and outcome',
    labelNames: ['intent', 'outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  })
  const lineCalls = new Counter({ name: 'sme_line_calls_total', help: 'LINE API calls by call (reply and push are deliveries) and result', labelNames: ['call', 'result'], registers: [registry] })

  new Gauge({
    name: 'sme_inbox_events',
    help: 'Inbox events waiting or being handled (all instances)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = rowsOf<{ status: string; n: number }>(await deps.db.execute(sql`SELECT status, count(*) AS n FROM inbox WHERE status IN ('pending', 'processing') GROUP BY status`))
      for (const status of ['pending', 'processing']) this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0)
    },
  })
  new Gauge({
    name: 'sme_inbox_oldest_pending_seconds',
    help: 'Age of the oldest event not yet handled (0 when none)',
    registers: [registry],
    async collect() {
      // extract() gives a numeric, which both drivers return as a string.
      const [row] = rowsOf<{ age: string | null }>(await deps.db.execute(sql`SELECT extract(epoch FROM now() - min(received_at)) AS age FROM inbox WHERE status IN ('pending', 'processing')`))
      this.set(Number(row?.age ?? 0))
    },
  })
  new Gauge({
    name: 'sme_outbox_deliveries',
    help: 'Deliveries not yet sent, and those given up (all instances)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = rowsOf<{ status: string; n: number }>(await deps.db.execute(sql`SELECT status, count(*) AS n FROM outbox WHERE status IN ('pending', 'sending', 'failed') GROUP BY status`))
      for (const status of ['pending', 'sending', 'failed']) this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0)
    },
  })

  // The read in flight is shared: both quota gauges are collected at once on a scrape.
  let quota: { at: number; value: Promise<{ limit: number | null; used: number } | undefined> } | undefined
  const readQuota = () => {
    if (!quota || Date.now() - quota.at > QUOTA_MAX_AGE_MS) quota = { at: Date.now(), value: deps.line.quota().catch(() => undefined) }
    return quota.value
  }
  new Gauge({
    name: 'sme_line_quota_remaining',
    help: "Messages left in this month's LINE quota (pushes and multicasts count, replies do not); absent when the plan has no limit or LINE did not answer",
    registers: [registry],
    async collect() {
      this.reset()
      const q = await readQuota()
      if (q && q.limit !== null) this.set(Math.max(0, q.limit - q.used))
    },
  })
  new Gauge({
    name: 'sme_line_quota_used',
    help: "Messages counted against this month's LINE quota",
    registers: [registry],
    async collect() {
      this.reset()
      const q = await readQuota()
      if (q) this.set(q.used)
    },
  })

  return {
    registry,
    webhook(status, stored) {
      webhookRequests.inc({ status: String(status) })
      if (stored > 0) webhookEvents.inc(stored)
    },
    eventHandled(intent, outcome, ms) {
      handling.observe({ intent, outcome }, ms / 1000)
    },
    lineCall(call, result) {
      lineCalls.inc({ call, result })
    },
  }
}

/** GET /metrics in Prometheus' text format, for a scraper holding the token. */
export function metricsRoutes(metrics: PrometheusMetrics, token: string): Hono {
  const app = new Hono()
  app.use('*', bearerAuth({ token }))
  app.get('/', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' }))
  return app
}
