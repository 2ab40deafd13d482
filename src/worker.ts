/**
 * The Cloudflare Workers entry: the same bot as on Node (src/bot.ts) with Workers' adapters — a
 * Postgres pool per invocation, bundled prompts and data files, the console's JSON log. Accepted
 * webhook events are handled after the 200 answer in `waitUntil`; a cron trigger drains what a
 * request could not (retries, expired leases). Specifics: src/runtime/workers.ts.
 */
import type { ExecutionContext } from 'hono'
import { createApp } from './app.js'
import { buildBot, type Bot } from './bot.js'
import { bundledAnswerPrompts, bundledIntentPrompt } from './answer/prompts-bundled.js'
import { createLlmCapabilities } from './answer/generative.js'
import { bundledAssessment, bundledHandoff, bundledReminders, bundledRules } from './bundled-data.js'
import { bundledConsoleTexts } from './console/texts-bundled.js'
import { openPostgres } from './db/postgres.js'
import { createEmbedder } from './knowledge/embedder.js'
import { createLineApi } from './line/client.js'
import { createRichMenuApi } from './line/richmenu-client.js'
import * as rt from './runtime/workers.js'

export { expectedMigrations } from './runtime/workers.js'

/** One bot per isolate (bindings objects are reused across its requests): the model client and the data-file cache live as long. */
const bots = new WeakMap<object, { setup: ReturnType<typeof rt.workerConfig>; bot: Bot }>()
function botFor(env: rt.WorkerEnv) {
  let entry = bots.get(env)
  if (!entry) {
    const setup = rt.workerConfig(env)
    const { config, log } = setup
    const llm = createLlmCapabilities(config, { ...bundledAnswerPrompts, intent: bundledIntentPrompt })
    const files = { assessment: bundledAssessment, rules: bundledRules, handoff: bundledHandoff, reminders: bundledReminders }
    entry = { setup, bot: buildBot({ log, embedder: createEmbedder(config), llm, files, consoleTexts: bundledConsoleTexts, adminToken: config.adminToken }) }
    bots.set(env, entry)
  }
  return entry
}

function connect(env: rt.WorkerEnv, ctx: ExecutionContext) {
  const { setup, bot } = botFor(env)
  // The pool connects lazily: requests that do not touch the database open no socket.
  const database = openPostgres(setup.config.databaseUrl, { max: rt.POOL_MAX })
  const background: Promise<unknown>[] = []
  /** Background work: kept alive by `waitUntil` (the webhook's own when given), and awaited before the pool closes. */
  const later = (work: Promise<unknown>, waitUntil: (w: Promise<unknown>) => void = ctx.waitUntil.bind(ctx)) => void (background.push(work), waitUntil(work))
  const lineBase = { channelAccessToken: setup.config.line.channelAccessToken, baseUrl: setup.config.line.apiBaseUrl }
  const connected = bot.connect({ db: database.db, line: createLineApi(lineBase), richMenus: createRichMenuApi(lineBase), background: (w) => later(w.catch((error: unknown) => setup.log.error('background work failed', { error: String(error) }))) })
  const drain = (budgetMs: number, trigger: 'webhook' | 'cron') => rt.drainAll(connected, setup.log, budgetMs, trigger)
  // Close this invocation's sockets once its background work is over.
  const closeLater = () => ctx.waitUntil(Promise.allSettled(background).then(() => database.close().catch(() => {})))
  return { setup, database, connected, drain, later, closeLater }
}

export default {
  async fetch(request: Request, env: rt.WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let w: ReturnType<typeof connect>
    try {
      w = connect(env, ctx)
    } catch (error) {
      return rt.configFailure(error)
    }
    const app = createApp({
      db: w.database.db,
      log: w.setup.log,
      channelSecret: w.setup.config.line.channelSecret,
      migrations: rt.expectedMigrations,
      onAccepted: ({ waitUntil }) => w.later(w.drain(rt.REQUEST_DRAIN_BUDGET_MS, 'webhook'), waitUntil),
      // The consultant and PMO consoles, as on Node (uploads and re-indexing run within the request's limits).
      mounts: new URL(request.url).pathname.startsWith('/console') ? [{ path: '/console', app: w.connected.console() }] : [],
    })
    try {
      return await app.fetch(request, env, ctx)
    } finally {
      w.closeLater()
    }
  },

  /** Cron trigger: handles events no request finished (failed attempts, expired leases) and due deliveries. */
  async scheduled(_controller: unknown, env: rt.WorkerEnv, ctx: ExecutionContext): Promise<void> {
    let w: ReturnType<typeof connect>
    try {
      w = connect(env, ctx)
    } catch (error) {
      rt.configFailure(error)
      return
    }
    w.later(w.drain(rt.SCHEDULED_DRAIN_BUDGET_MS, 'cron'))
    w.closeLater()
  },
}
