/**
 * The Cloudflare Workers entry: the same Hono app as on Node (src/server.ts), with Workers' adapters.
 *
 * - Configuration: the Worker's string bindings (vars and secrets) go through loadConfig, like
 *   process.env on Node. A Hyperdrive binding named HYPERDRIVE, when present, provides the database.
 * - Database: a Postgres server only (PGlite is Node-only), reached with `pg` over Workers TCP
 *   sockets (nodejs_compat). Sockets belong to the request that opened them, so every invocation
 *   opens its own small pool and closes it when its background work is done (Cloudflare's guidance
 *   for node-postgres; with Hyperdrive, connecting per request is cheap).
 * - Background work: accepted webhook events are handled after the 200 answer in `waitUntil`, with a
 *   time budget; a cron trigger drains what a request could not (retries, expired leases).
 * - Migrations: Workers cannot read the migration files and never migrate. The expected list comes
 *   from drizzle-kit's journal bundled into the Worker; /readyz reports the ones still pending
 *   (run `npm run db:migrate` against the same DATABASE_URL from Node).
 * - The consoles (/console) are mounted as on Node; the simulator and the fake LINE API are Node-only.
 */
import type { ExecutionContext } from 'hono'
import journal from '../migrations/meta/_journal.json' with { type: 'json' }
import { createApp } from './app.js'
import { createRouter } from './chat/router.js'
import { createDataFileSource, liveAnswerDeps, liveBotRoutes } from './pmo/live-data.js'
import { consoleRoutes } from './console/app.js'
import { bundledConsoleTexts } from './console/texts-bundled.js'
import { deliverDue } from './line/outbox.js'
import { bundledAssessment, bundledHandoff, bundledRules } from './bundled-data.js'
import { runHandoffSweep } from './handoff/notify.js'
import { createLlmCapabilities } from './answer/generative.js'
import { bundledAnswerPrompts, bundledIntentPrompt } from './answer/prompts-bundled.js'
import { createEmbedder } from './knowledge/embedder.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import type { Migration } from './db/migrator.js'
import { openPostgres } from './db/postgres.js'
import type { Database } from './db/types.js'
import { drainInbox } from './inbox/worker.js'
import type { ProcessorDeps } from './inbox/processor.js'
import { createLineApi } from './line/client.js'
import { createLogger, type Logger } from './log.js'

/** A Hyperdrive binding: a pooled, nearby connection string for the origin database. */
interface HyperdriveBinding {
  connectionString: string
}

/** Vars and secrets (strings) plus any bindings; only HYPERDRIVE is used. */
export type WorkerEnv = Record<string, unknown>

/** Connections per invocation: Workers allow six simultaneous open connections (sockets and fetches). */
const POOL_MAX = 3
/** Events handled at once per drain; each may also call the LINE API. */
const DRAIN_CONCURRENCY = 3
/**
 * No new batch is claimed after this; waitUntil work may run up to 30 s after the response, so a
 * batch started just before the deadline still has time to finish. An event cut off anyway is
 * claimable again when its lease expires (the cron drain picks it up).
 */
const REQUEST_DRAIN_BUDGET_MS = 15_000
const SCHEDULED_DRAIN_BUDGET_MS = 25_000

/** The migrations this build expects, by tag. Their SQL is not bundled: Workers never migrate. */
export const expectedMigrations: Migration[] = [...journal.entries].sort((a, b) => a.idx - b.idx).map((e) => ({ tag: e.tag, sql: '' }))


interface Setup {
  config: Config & { databaseUrl: string; line: { apiBaseUrl: string } }
  log: Logger
}

class WorkerConfigError extends Error {
  override name = 'WorkerConfigError'
}

/** Bindings objects are reused across requests of an isolate: parse each once. */
const setups = new WeakMap<object, Setup>()

function setupFor(env: WorkerEnv): Setup {
  const cached = setups.get(env)
  if (cached) return cached
  const raw: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(env)) if (typeof value === 'string') raw[key] = value
  const hyperdrive = env.HYPERDRIVE as Partial<HyperdriveBinding> | undefined
  if (typeof hyperdrive?.connectionString === 'string') raw.DATABASE_URL = hyperdrive.connectionString
  const config = loadConfig(raw)
  if (!config.databaseUrl) {
    throw new WorkerConfigError(
      'DATABASE_URL is required on Cloudflare Workers: the embedded PGlite database is Node-only. ' +
        'Set it as a secret (`wrangler secret put DATABASE_URL`) or bind Hyperdrive as HYPERDRIVE.',
    )
  }
  if (config.simulator || !config.line.apiBaseUrl) {
    throw new WorkerConfigError(
      'LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are required on Cloudflare Workers (set them as secrets): ' +
        'the simulator and its fake LINE API are Node-only.',
    )
  }
  const setup: Setup = {
    config: config as Setup['config'],
    // Workers Logs index JSON lines written to the console.
    log: createLogger(config.logLevel, (line) => console.log(line)),
  }
  setups.set(env, setup)
  return setup
}

function configFailure(error: unknown): Response {
  if (error instanceof ConfigError || error instanceof WorkerConfigError) {
    console.error(error.message)
    return Response.json({ error: 'worker misconfigured', detail: error.message }, { status: 500 })
  }
  throw error
}

/** The bot's capabilities on Workers: bundled prompts and data files, overridden by the PMO console's saved ones. */
function botParts(setup: Setup, database: Database) {
  const { config, log } = setup
  const parts = {
    db: database.db,
    embedder: createEmbedder(config),
    llm: createLlmCapabilities(config, { ...bundledAnswerPrompts, intent: bundledIntentPrompt }),
    assessment: bundledAssessment,
    rules: bundledRules,
    handoff: bundledHandoff,
  }
  // Programme rules and the assessment as last saved in the PMO console (data_files), else the bundled files.
  return { parts, dataFiles: createDataFileSource(database.db, { assessment: bundledAssessment, rules: bundledRules }, { log }) }
}

function consoleApp(setup: Setup, database: Database, later: (work: Promise<unknown>) => void) {
  const { parts, dataFiles } = botParts(setup, database)
  const line = lineApi(setup)
  return consoleRoutes({
    db: database.db,
    log: setup.log,
    adminToken: setup.config.adminToken,
    line,
    deliver: (ids) => deliverDue(database.db, line, { ids }),
    background: later,
    answer: liveAnswerDeps(parts, dataFiles),
    openai: setup.config.openai,
    assessment: bundledAssessment,
    handoff: bundledHandoff,
    texts: bundledConsoleTexts,
  })
}

const lineApi = (setup: Setup) => createLineApi({ channelAccessToken: setup.config.line.channelAccessToken, baseUrl: setup.config.line.apiBaseUrl })

function processorDeps(setup: Setup, database: Database): ProcessorDeps {
  // The same capabilities as on Node; the knowledge index is built from Node (npm run kb:ingest).
  const { parts, dataFiles } = botParts(setup, database)
  return { db: database.db, line: lineApi(setup), router: createRouter(liveBotRoutes(parts, dataFiles)), log: setup.log }
}

async function drain(setup: Setup, database: Database, budgetMs: number, trigger: string): Promise<void> {
  const id = `workers-${crypto.randomUUID().slice(0, 8)}`
  try {
    const deps = processorDeps(setup, database)
    const handled = await drainInbox(deps, { id, concurrency: DRAIN_CONCURRENCY, deadline: Date.now() + budgetMs })
    if (handled > 0) setup.log.debug('inbox drained', { trigger, handled })
    // New cases are announced right after the drain that opened them; overdue ones on the cron.
    await runHandoffSweep({ db: database.db, settings: bundledHandoff, log: setup.log, line: deps.line })
  } catch (error) {
    setup.log.error('inbox drain failed', { trigger, error: String(error) })
  }
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    let setup: Setup
    try {
      setup = setupFor(env)
    } catch (error) {
      return configFailure(error)
    }
    // The pool connects lazily: requests that do not touch the database open no socket.
    const database = openPostgres(setup.config.databaseUrl, { max: POOL_MAX })
    const background: Promise<unknown>[] = []
    const later = (work: Promise<unknown>) => {
      const settled = work.catch((error: unknown) => setup.log.error('background work failed', { error: String(error) }))
      background.push(settled)
      ctx.waitUntil(settled)
    }
    // Webhook requests (the hot path) do not build the consoles; only /console requests do.
    const consoleRequest = new URL(request.url).pathname.startsWith('/console')
    const app = createApp({
      db: database.db,
      log: setup.log,
      channelSecret: setup.config.line.channelSecret,
      migrations: expectedMigrations,
      onAccepted: ({ waitUntil }) => {
        const work = drain(setup, database, REQUEST_DRAIN_BUDGET_MS, 'webhook')
        background.push(work)
        ;(waitUntil ?? ctx.waitUntil.bind(ctx))(work)
      },
      // The consultant and PMO consoles, as on Node (uploads and re-indexing run within the request's limits).
      mounts: consoleRequest ? [{ path: '/console', app: consoleApp(setup, database, later) }] : [],
    })
    try {
      return await app.fetch(request, env, ctx)
    } finally {
      // Close this invocation's sockets once its background work is over.
      ctx.waitUntil(Promise.allSettled(background).then(() => database.close().catch(() => {})))
    }
  },

  /** Cron trigger: handles events no request finished (failed attempts, expired leases) and due deliveries. */
  async scheduled(_controller: unknown, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    let setup: Setup
    try {
      setup = setupFor(env)
    } catch (error) {
      configFailure(error)
      return
    }
    const database = openPostgres(setup.config.databaseUrl, { max: POOL_MAX })
    ctx.waitUntil(drain(setup, database, SCHEDULED_DRAIN_BUDGET_MS, 'cron').finally(() => database.close().catch(() => {})))
  },
}
