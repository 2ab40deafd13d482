import { Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import type { Logger } from '../log.js'
import type { BotMetrics } from '../metrics/types.js'
import { eventSchema, sanitizeStrings, webhookEnvelopeSchema, type WebhookEvent } from './events.js'
import { verifySignature } from './signature.js'

export const WEBHOOK_MAX_BYTES = 1024 * 1024

export interface WebhookDeps {
  /** Stores accepted events in the inbox; resolves to how many were new (see createInboxWriter). */
  store: (events: WebhookEvent[]) => Promise<number>
  channelSecret: string
  log: Logger
  /** Starts background handling of the newly stored events (Node: kick the worker; Workers: waitUntil). */
  onAccepted: (schedule: { waitUntil?: (p: Promise<unknown>) => void }) => void
  /** Marks requests in flight so in-process background work can give way (Node). */
  gate?: { begin(): void; end(): void }
  metrics?: Pick<BotMetrics, 'webhook'>
}

const utf8 = new TextDecoder()

const streamedBodyLimit = bodyLimit({ maxSize: WEBHOOK_MAX_BYTES, onError: (c) => c.json({ error: 'payload too large' }, 413) })

/**
 * 413 for bodies over WEBHOOK_MAX_BYTES. A declared Content-Length (LINE always sends one) is checked
 * here, without touching `c.req.raw.body`: on Node that getter builds a web Request and ReadableStream
 * for the request (the most expensive part of an acknowledgement), while `arrayBuffer()` reads the
 * bytes directly. Chunked bodies go through hono's bodyLimit, which counts the bytes as they arrive.
 */
const limitBody: MiddlewareHandler = async (c, next) => {
  const declared = c.req.header('content-length')
  if (declared === undefined || c.req.header('transfer-encoding') !== undefined) return streamedBodyLimit(c, next)
  if (Number(declared) > WEBHOOK_MAX_BYTES) return c.json({ error: 'payload too large' }, 413)
  await next()
}

/**
 * POST /webhook. The signature is checked on the raw bytes before anything is parsed; the events are
 * stored in the inbox and the request is answered at once; the work happens in the background.
 */
export function webhookRoutes(deps: WebhookDeps): Hono<{ Variables: { stored: number } }> {
  const app = new Hono<{ Variables: { stored: number } }>()
  app.post(
    '/',
    async (c, next) => {
      deps.gate?.begin()
      try {
        await next()
      } finally {
        deps.gate?.end()
      }
      deps.metrics?.webhook(c.res.status, c.get('stored') ?? 0)
    },
    limitBody,
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer())
      if (!verifySignature(deps.channelSecret, raw, c.req.header('x-line-signature'))) {
        deps.log.warn('webhook rejected', { reason: 'bad-signature' })
        return c.json({ error: 'invalid signature' }, 401)
      }
      let json: unknown
      try {
        json = JSON.parse(utf8.decode(raw))
      } catch {
        return c.json({ error: 'malformed JSON' }, 400)
      }
      const parsed = webhookEnvelopeSchema.safeParse(json)
      if (!parsed.success) {
        deps.log.warn('webhook rejected', { reason: 'bad-shape', issues: parsed.error.issues.length })
        return c.json({ error: 'malformed webhook body', details: z.prettifyError(parsed.error) }, 400)
      }
      // Each event on its own: a malformed one is dropped (LINE would send it the same way again), the rest stored.
      const events: WebhookEvent[] = []
      let refused = 0
      for (const raw of parsed.data.events) {
        const event = eventSchema.safeParse(sanitizeStrings(raw))
        if (event.success) events.push(event.data)
        else refused++
      }
      if (refused > 0) deps.log.warn('webhook events refused', { reason: 'bad-event', refused, accepted: events.length })
      const added = await deps.store(events)
      c.set('stored', added)
      // Workers hand the background work to waitUntil; Node's worker ignores it (and Node has no
      // execution context, whose getter throws, so it is only touched when called).
      if (added > 0) deps.onAccepted({ waitUntil: (p) => c.executionCtx.waitUntil(p) })
      return c.json({}, 200)
    },
  )
  return app
}
