import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { sql } from 'drizzle-orm'
import type { Db } from './db/types.js'
import { pendingMigrations, type Migration } from './db/migrator.js'
import type { Logger } from './log.js'
import { webhookRoutes, type WebhookDeps } from './line/webhook.js'
import { createInboxWriter } from './inbox/store.js'

export interface AppDeps {
  db: Db
  log: Logger
  channelSecret: string
  /** The migrations this build expects; /readyz fails until they are applied. */
  migrations: Migration[]
  onAccepted: WebhookDeps['onAccepted']
  gate?: WebhookDeps['gate']
  metrics?: WebhookDeps['metrics']
  /** Extra route groups mounted by the composition root (simulator, fake LINE API, consoles). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- sub-apps carry their own Variables
  mounts?: { path: string; app: Hono<any> }[]
}

/** The one Hono app, used by Node, Workers and tests alike. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono()

  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    try {
      await deps.db.execute(sql`SELECT 1`)
      const pending = await pendingMigrations(deps.db, deps.migrations)
      if (pending.length > 0) return c.json({ status: 'not ready', pendingMigrations: pending }, 503)
      return c.json({ status: 'ready' })
    } catch {
      return c.json({ status: 'not ready', database: 'unreachable' }, 503)
    }
  })
  app.get('/', (c) => c.redirect(deps.mounts?.some((m) => m.path === '/simulator') ? '/simulator' : '/healthz'))

  app.route('/webhook', webhookRoutes({ store: createInboxWriter(deps.db), channelSecret: deps.channelSecret, log: deps.log, onAccepted: deps.onAccepted, gate: deps.gate, metrics: deps.metrics }))
  for (const mount of deps.mounts ?? []) app.route(mount.path, mount.app)

  app.notFound((c) => c.json({ error: 'not found' }, 404))
  app.onError((error, c) => {
    // Hono's own middleware (bearer auth, body limit) ends requests by throwing their response.
    if (error instanceof HTTPException) return error.getResponse()
    deps.log.error('request failed', { path: c.req.path, error: error.message })
    return c.json({ error: 'internal error' }, 500)
  })
  return app
}
