import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import type { FakeLineApi } from '../simulator/fake-line.js'
import { InboxWorker, type HandledEvent } from '../inbox/worker.js'
import type { RetryPolicy } from '../retry.js'
import { createApp } from '../app.js'
import type { Bot } from '../bot.js'
import type { Config } from '../config.js'
import { startHandoffSweeper } from '../handoff/notify.js'
import { AckGate } from '../inbox/ack-gate.js'
import { KNOWLEDGE_DIR } from '../knowledge/setup.js'
import type { LineApi } from '../line/client.js'
import { metricsRoutes, type PrometheusMetrics } from '../metrics/prometheus.js'
import { startConverter, stopConverter } from '../pmo/convert-isolated.js'
import { simulatorRoutes } from '../simulator/routes.js'
import { repeatEvery } from '../repeat.js'
import { reclaimCampaignBatches } from '../outreach/campaigns.js'
import type { RichMenuApi } from '../line/richmenu-client.js'
import { installRichMenus, readRichMenuFile } from '../outreach/files.js'
import { migrate, type Migration } from '../db/migrator.js'
import { openPglite } from '../db/pglite.js'
import { openPostgres } from '../db/postgres.js'
import type { Database } from '../db/types.js'
import { reclaimLeases } from '../inbox/store.js'
import type { KnowledgeEmbedder } from '../knowledge/embedder.js'
import { syncKnowledgeDir } from '../knowledge/ingest.js'
import type { Logger } from '../log.js'

/** Node specifics that are not adapters (src/server.ts picks those): sockets, migrations, start-up work. */

export interface RunningServer {
  url: string
  port: number
  app: Hono
  database: Database
  worker: InboxWorker
  /** The built-in fake LINE API, in simulator mode. */
  fakeLine: FakeLineApi | undefined
  embedder: KnowledgeEmbedder
  /** Settles when the start-up knowledge sync has finished (or failed, which is logged). */
  knowledgeReady: Promise<void>
  close(): Promise<void>
}

export interface ServerOptions {
  log?: Logger
  hostname?: string
  workerId?: string
  pollMs?: number
  retry?: RetryPolicy
  loadingAfterMs?: number
  onHandled?: (h: HandledEvent) => void
  /** false: accept webhooks only and leave the inbox to other instances (default true). */
  worker?: boolean
  /** How long a generated answer may take before the extractive one is sent instead. */
  llmDeadlineMs?: number
  /** The knowledge folder synced into the index at start when it changed; false skips it. */
  knowledgeDir?: string | false
  /** The handoff settings file (default knowledge/handoff/handoff.yaml). */
  handoffFile?: string
  /** How often due campaigns are started and sent (default 5 s). */
  campaignPollMs?: number
  /** How often new and overdue handoff cases are looked for (default a minute; a case opening also triggers it). */
  handoffSweepMs?: number
}


/** The embedded database in the data folder, or the Postgres server; migrated before anything reads it. */
export async function openMigratedDatabase(config: Config, migrations: Migration[], log: Logger): Promise<Database> {
  const database = config.databaseUrl ? openPostgres(config.databaseUrl) : await openPglite(config.dataDir)
  try {
    const applied = await migrate(database.db, migrations)
    if (applied.length > 0) log.info('migrations applied', { applied, engine: database.engine })
  } catch (error) {
    await database.close()
    throw error
  }
  return database
}

/**
 * Work claimed by this instance's previous run, which is gone, is taken up now rather than when its
 * leases lapse. The embedded database has one process by construction, so all of it; on a shared
 * server only this instance's (its default name holds the port just bound, so no live process has it).
 */
export async function takeUpPreviousRun(database: Database, instanceId: string | undefined, log: Logger): Promise<void> {
  if (database.engine !== 'pglite' && instanceId === undefined) return
  try {
    const owner = database.engine === 'pglite' ? undefined : instanceId
    const reclaimed = { ...(await reclaimLeases(database.db, owner)), campaignBatches: await reclaimCampaignBatches(database.db, owner) }
    if (reclaimed.events + reclaimed.deliveries + reclaimed.campaignBatches > 0) log.info('work of the previous run taken up', { ...reclaimed, instance: instanceId })
  } catch (error) {
    log.error('taking up the previous run failed', { error: String(error) })
  }
}

/** Keeps serving while the knowledge folder is (re-)indexed; readers see the old index until it commits. */
export function indexKnowledge(database: Database, embedder: KnowledgeEmbedder, dir: string | false, log: Logger): Promise<void> {
  if (!dir) return Promise.resolve()
  return syncKnowledgeDir(database.db, embedder, dir)
    .then((report) => {
      if (report) log.info('knowledge indexed', { documents: report.documents, chunks: report.chunks, embedded: report.embedded, ms: report.ms, problems: report.issues.length })
      for (const issue of report?.issues ?? []) log.warn('knowledge file skipped', { ...issue })
    })
    .catch((error: unknown) => log.error('knowledge indexing failed', { error: String(error) }))
}

export function listen(app: Hono, port: number, hostname: string): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname }, (info) => resolve({ server: s, port: info.port }))
    s.once('error', reject)
  })
}

export function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    // Keep-alive sockets would hold close() open.
    ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
  })
}

/** What the Node entry chose, for running the bot: serving, the inbox worker, notifications, start-up work. */
export interface NodeRun {
  config: Config
  options: ServerOptions
  log: Logger
  database: Database
  migrations: Migration[]
  /** The LINE client the bot uses (metered when /metrics is on), and its rich-menu calls. */
  line: LineApi
  richMenus: RichMenuApi
  metrics: PrometheusMetrics | undefined
  fakeLine: FakeLineApi | undefined
  fakeLineServer: { server: ServerType; port: number } | undefined
  instanceId: string | undefined
  embedder: KnowledgeEmbedder
  bot: Bot
}

export async function runNodeBot(run: NodeRun): Promise<RunningServer> {
  const { config, options, log, database, migrations, line, richMenus, metrics, fakeLine, fakeLineServer, instanceId, embedder, bot } = run
  const background = (work: Promise<unknown>) => void work.catch((error: unknown) => log.error('console background work failed', { error: String(error) }))
  const connected = bot.connect({ db: database.db, line, richMenus, background, instanceId, loadingAfterMs: options.loadingAfterMs })
  // Consultants hear of new cases at once (kicked when one opens) and of overdue ones on the timer.
  const sweeper = startHandoffSweeper(connected.notify, options.handoffSweepMs ?? 60_000)

  let selfUrl = ''
  const gate = new AckGate()
  let worker: InboxWorker | undefined
  const app = createApp({
    gate,
    metrics,
    db: database.db,
    log,
    channelSecret: config.line.channelSecret,
    migrations,
    onAccepted: () => void (options.worker !== false && worker?.kick()),
    mounts: [
      // The simulator posts its signed events to this server over loopback — never to an address taken from the request.
      ...(config.simulator ? [{ path: '/simulator', app: simulatorRoutes({ channelSecret: config.line.channelSecret, fakeLine, webhookUrl: () => `${selfUrl}/webhook` }) }] : []),
      ...(metrics ? [{ path: '/metrics', app: metricsRoutes(metrics, config.metricsToken!) }] : []),
      { path: '/console', app: connected.console() },
    ],
  })
  const { server, port } = await listen(app, config.port, options.hostname ?? '0.0.0.0')
  selfUrl = `http://127.0.0.1:${port}`
  await takeUpPreviousRun(database, instanceId, log)

  // Concurrency: each event's scoring runs on this thread between acknowledgements, so few in flight keep their p99 low
  // (Postgres: 4 drained as fast as 8; PGlite, one connection, p99 at 200 req/s: 1 in flight 35-38 ms, 2: 16-25, 3: 15-99).
  worker = new InboxWorker(connected.processor, {
    id: instanceId,
    pollMs: options.pollMs,
    concurrency: database.engine === 'pglite' ? 2 : 4,
    gate,
    onHandled: (h) => {
      metrics?.eventHandled(h.intent, h.outcome, h.latencyMs)
      // A case opening or ended from the chat: consultants hear of it, and the user's menu switches, now.
      if (h.intent === 'handoff-open' || h.intent === 'handoff-end') sweeper.kick()
      options.onHandled?.(h)
    },
  })
  if (options.worker !== false) worker.start()
  // The simulator's phone shows the rich menu, as a real channel would after `npm run line:richmenu`.
  if (fakeLineServer) {
    await readRichMenuFile()
      .then((file) => installRichMenus(richMenus, file))
      .catch((error: unknown) => log.warn('rich menu not set up in the simulator', { error: String(error) }))
  }
  // Deadline reminders and campaigns: started and sent every few seconds.
  const campaigns = repeatEvery(() => connected.outreach(), options.campaignPollMs ?? 5_000)
  campaigns.kick()
  // Uploads are converted in processes this launcher starts; it is started now, while nothing waits.
  startConverter()
  const knowledgeReady = indexKnowledge(database, embedder, options.knowledgeDir ?? KNOWLEDGE_DIR, log)

  return {
    url: selfUrl,
    port,
    app,
    database,
    worker,
    fakeLine,
    embedder,
    knowledgeReady,
    async close() {
      await knowledgeReady
      await worker?.stop()
      await sweeper.stop()
      await campaigns.stop()
      stopConverter()
      await closeServer(server)
      if (fakeLineServer) await closeServer(fakeLineServer.server)
      await database.close()
    },
  }
}
