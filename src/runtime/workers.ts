import journal from '../../migrations/meta/_journal.json' with { type: 'json' }
import { ConfigError, loadConfig, type Config } from '../config.js'
import type { Migration } from '../db/migrator.js'
import type { ConnectedBot } from '../bot.js'
import { runHandoffSweep } from '../handoff/notify.js'
import { drainInbox } from '../inbox/worker.js'
import { createLogger, type Logger } from '../log.js'

/**
 * Workers specifics that are not adapters (src/worker.ts picks those):
 *
 * - Configuration: the Worker's string bindings (vars and secrets) go through loadConfig, like
 *   process.env on Node. A Hyperdrive binding named HYPERDRIVE, when present, provides the database.
 * - Database: a Postgres server only (PGlite is Node-only), reached with `pg` over Workers TCP
 *   sockets (nodejs_compat). Sockets belong to the request that opened them, so every invocation
 *   opens its own small pool and closes it when its background work is done.
 * - Migrations: Workers cannot read the migration files and never migrate. The expected list comes
 *   from drizzle-kit's journal bundled into the Worker; /readyz reports the ones still pending.
 */

/** Vars and secrets (strings) plus any bindings; only HYPERDRIVE is used. */
export type WorkerEnv = Record<string, unknown>

/** Connections per invocation: Workers allow six simultaneous open connections (sockets and fetches). */
export const POOL_MAX = 3
/** Events handled at once per drain; each may also call the LINE API. */
export const DRAIN_CONCURRENCY = 3
/**
 * No new batch is claimed after this; waitUntil work may run up to 30 s after the response, so a
 * batch started just before the deadline still has time to finish. An event cut off anyway is
 * claimable again when its lease expires (the cron drain picks it up).
 */
export const REQUEST_DRAIN_BUDGET_MS = 15_000
export const SCHEDULED_DRAIN_BUDGET_MS = 25_000

/** The migrations this build expects, by tag. Their SQL is not bundled: Workers never migrate. */
export const expectedMigrations: Migration[] = [...journal.entries].sort((a, b) => a.idx - b.idx).map((e) => ({ tag: e.tag, sql: '' }))

export type WorkerConfig = Config & { databaseUrl: string; line: { apiBaseUrl: string } }

export class WorkerConfigError extends Error {
  override name = 'WorkerConfigError'
}

/** The Worker's configuration from its bindings; refuses what only Node can do. */
export function workerConfig(env: WorkerEnv): { config: WorkerConfig; log: Logger } {
  const raw: Record<string, string | undefined> = {}
  for (const [key, value] of Object.entries(env)) if (typeof value === 'string') raw[key] = value
  const hyperdrive = env.HYPERDRIVE as { connectionString?: unknown } | undefined
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
  // Workers Logs index JSON lines written to the console.
  return { config: config as WorkerConfig, log: createLogger(config.logLevel, (line) => console.log(line)) }
}

/** A configuration error as the Worker's answer (and a log line); anything else is rethrown. */
export function configFailure(error: unknown): Response {
  if (error instanceof ConfigError || error instanceof WorkerConfigError) {
    console.error(error.message)
    return Response.json({ error: 'worker misconfigured', detail: error.message }, { status: 500 })
  }
  throw error
}

/**
 * One invocation's background work, within one deadline: the inbox, then consultants' notifications
 * (new cases right after the drain that opened them, overdue ones on the cron), then — on the cron
 * only, so a webhook's work stays the user's reply — reminders and campaigns. Failures are logged.
 */
export async function drainAll(bot: ConnectedBot, log: Logger, budgetMs: number, trigger: 'webhook' | 'cron'): Promise<void> {
  const deadline = Date.now() + budgetMs
  try {
    const handled = await drainInbox(bot.processor, { id: `workers-${crypto.randomUUID().slice(0, 8)}`, concurrency: DRAIN_CONCURRENCY, deadline })
    if (handled > 0) log.debug('inbox drained', { trigger, handled })
    await runHandoffSweep(bot.notify)
    if (trigger === 'cron') await bot.outreach(deadline)
  } catch (error) {
    log.error('inbox drain failed', { trigger, error: String(error) })
  }
}
