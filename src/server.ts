import { hostname as hostName } from 'node:os'
import { serve, type ServerType } from '@hono/node-server'
import type { Hono } from 'hono'
import { createApp, type AppDeps } from './app.js'
import type { Config } from './config.js'
import { migrate } from './db/migrator.js'
import { readMigrations } from './db/migrations-fs.js'
import { openPglite } from './db/pglite.js'
import { openPostgres } from './db/postgres.js'
import type { Database } from './db/types.js'
import { InboxWorker, type HandledEvent } from './inbox/worker.js'
import { AckGate } from './inbox/ack-gate.js'
import { createLineApi } from './line/client.js'
import type { RetryPolicy } from './retry.js'
import { createLogger, type Logger } from './log.js'
import { createRouter } from './chat/router.js'
import { createDataFileSource, liveAnswerDeps, liveBotRoutes } from './pmo/live-data.js'
import { consoleRoutes } from './console/app.js'
import { readConsoleTexts } from './console/texts-fs.js'
import { convertInProcess, startConverter, stopConverter } from './pmo/convert-isolated.js'
import { reclaimLeases } from './inbox/store.js'
import { deliverDue } from './line/outbox.js'
import { meteredLineApi } from './metrics/metered-line.js'
import { createPrometheusMetrics, metricsRoutes } from './metrics/prometheus.js'
import { FakeLineApi } from './simulator/fake-line.js'
import { simulatorRoutes } from './simulator/routes.js'
import type { KnowledgeEmbedder } from './knowledge/embedder.js'
import { syncKnowledgeDir } from './knowledge/ingest.js'
import { KNOWLEDGE_DIR } from './knowledge/setup.js'
import { createEmbedder } from './knowledge/embedder.js'
import { createLlmCapabilities } from './answer/generative.js'
import { readAnswerPrompts, readIntentPrompt } from './answer/prompts-fs.js'
import { readDefinition } from './assessment/load.js'
import { readProgrammeRules } from './eligibility/load.js'
import { readHandoffSettings } from './handoff/load.js'
import { startHandoffSweeper } from './handoff/notify.js'

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
  /** How often new and overdue handoff cases are looked for (default a minute; a case opening also triggers it). */
  handoffSweepMs?: number
}

/** The Node composition root: picks the adapters for this config and serves the app. */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel)
  const embedder = createEmbedder(config)
  // Generated answers when an OpenAI-compatible model is configured; the extractive answer otherwise and as fallback.
  const llm = config.openai ? createLlmCapabilities(config, { ...(await readAnswerPrompts()), intent: await readIntentPrompt() }, options.llmDeadlineMs) : {}
  // The assessment and the programme rules are data files: a broken one stops the start, naming the field.
  const [assessment, programmeRules, handoff] = await Promise.all([readDefinition(), readProgrammeRules(), readHandoffSettings(options.handoffFile)])
  const database = config.databaseUrl ? openPostgres(config.databaseUrl) : await openPglite(config.dataDir)
  const migrations = await readMigrations()
  try {
    const applied = await migrate(database.db, migrations)
    if (applied.length > 0) log.info('migrations applied', { applied, engine: database.engine })
  } catch (error) {
    await database.close()
    throw error
  }

  // Simulator mode: the bot's LINE client talks to a fake LINE API on its own loopback port
  // (the SDK keeps only the origin of its base URL, so the fake must sit at a root).
  const fakeLine = config.simulator && !config.line.apiBaseUrl ? new FakeLineApi(config.line.channelAccessToken) : undefined
  const fakeLineServer = fakeLine ? await listen(fakeLine.app, 0, '127.0.0.1') : undefined
  let worker: InboxWorker | undefined
  const mounts: NonNullable<AppDeps['mounts']> = []
  // The simulator posts its signed events to this server over loopback — never to an address taken from the request.
  let selfUrl = ''
  if (config.simulator) mounts.push({ path: '/simulator', app: simulatorRoutes({ channelSecret: config.line.channelSecret, fakeLine, webhookUrl: () => `${selfUrl}/webhook` }) })

  const lineBaseUrl = config.line.apiBaseUrl ?? `http://127.0.0.1:${fakeLineServer!.port}`
  const lineApi = createLineApi({ channelAccessToken: config.line.channelAccessToken, baseUrl: lineBaseUrl, retry: options.retry })
  // Operations' figures at /metrics, only when a scraper has a token to read them with.
  const metrics = config.metricsToken ? createPrometheusMetrics({ db: database.db, line: lineApi }) : undefined
  const line = metrics ? meteredLineApi(lineApi, metrics) : lineApi
  if (metrics) mounts.push({ path: '/metrics', app: metricsRoutes(metrics, config.metricsToken!) })
  // A port of 0 is a new one each run: no name to recognise the previous run by (the worker picks a random one).
  const instanceId = options.workerId ?? config.instanceId ?? (config.port !== 0 ? `${hostName()}:${config.port}` : undefined)
  const parts = { db: database.db, embedder, llm, assessment, rules: programmeRules, handoff }
  // Programme rules and the assessment as last saved in the PMO console (data_files), else the files read above.
  const dataFiles = createDataFileSource(database.db, { assessment, rules: programmeRules }, { log })
  // Consultants hear of new cases at once (kicked when one opens) and of overdue ones on the timer.
  const sweeper = startHandoffSweeper({ db: database.db, settings: handoff, log, line }, options.handoffSweepMs ?? 60_000)
  mounts.push({
    path: '/console',
    app: consoleRoutes({
      db: database.db,
      log,
      adminToken: config.adminToken,
      line,
      deliver: (ids) => deliverDue(database.db, line, { ids, owner: instanceId }),
      background: (work) => void work.catch((error: unknown) => log.error('console background work failed', { error: String(error) })),
      answer: liveAnswerDeps(parts, dataFiles),
      openai: config.openai,
      assessment,
      handoff,
      texts: await readConsoleTexts(),
      convert: (fileName, bytes) => convertInProcess(fileName, bytes),
    }),
  })

  const gate = new AckGate()
  const app = createApp({
    gate,
    metrics,
    db: database.db,
    log,
    channelSecret: config.line.channelSecret,
    migrations,
    onAccepted: () => {
      if (options.worker !== false) worker?.kick()
    },
    mounts,
  })

  const { server, port } = await listen(app, config.port, options.hostname ?? '0.0.0.0')
  const url = `http://127.0.0.1:${port}`
  selfUrl = url

  // Work claimed by this instance's previous run, which is gone, is taken up now rather than when its
  // leases lapse. The embedded database has one process by construction, so all of it; on a shared
  // server only this instance's (its default name holds the port just bound, so no live process has it).
  if (database.engine === 'pglite' || instanceId !== undefined) {
    try {
      const reclaimed = await reclaimLeases(database.db, database.engine === 'pglite' ? undefined : instanceId)
      if (reclaimed.events + reclaimed.deliveries > 0) log.info('work of the previous run taken up', { ...reclaimed, instance: instanceId })
    } catch (error) {
      log.error('taking up the previous run failed', { error: String(error) })
    }
  }

  worker = new InboxWorker(
    { db: database.db, line, router: createRouter(liveBotRoutes(parts, dataFiles)), log, loadingAfterMs: options.loadingAfterMs },
    {
      id: instanceId,
      pollMs: options.pollMs,
      onHandled: (h) => {
        metrics?.eventHandled(h.intent, h.outcome, h.latencyMs)
        if (h.intent === 'handoff-open') sweeper.kick()
        options.onHandled?.(h)
      },
      // Each event's own work (retrieval scoring, composing) runs on this thread between acknowledgements, so
      // few in flight keeps their p99 low (Postgres: 4 drained as fast as 8 with p99 at 200 req/s 20 ms, not
      // 24 ms); PGlite is one connection besides (p99 at 200 req/s, three runs each: 1 in flight 35-38 ms,
      // 2: 16-25 ms, 3: 15-99 ms).
      concurrency: database.engine === 'pglite' ? 2 : 4,
      gate,
    },
  )
  if (options.worker !== false) worker.start()
  // Uploads are converted in processes this launcher starts; it is started now, while nothing waits.
  startConverter()

  // Keep serving while the knowledge folder is (re-)indexed; readers see the old index until it commits.
  const knowledgeDir = options.knowledgeDir ?? KNOWLEDGE_DIR
  const knowledgeReady = knowledgeDir
    ? syncKnowledgeDir(database.db, embedder, knowledgeDir)
        .then((report) => {
          if (report) log.info('knowledge indexed', { documents: report.documents, chunks: report.chunks, embedded: report.embedded, ms: report.ms, problems: report.issues.length })
          for (const issue of report?.issues ?? []) log.warn('knowledge file skipped', { ...issue })
        })
        .catch((error: unknown) => log.error('knowledge indexing failed', { error: String(error) }))
    : Promise.resolve()

  return {
    url,
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
      stopConverter()
      await closeServer(server)
      if (fakeLineServer) await closeServer(fakeLineServer.server)
      await database.close()
    },
  }
}

function listen(app: Hono, port: number, hostname: string): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname }, (info) => resolve({ server: s, port: info.port }))
    s.once('error', reject)
  })
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    // Keep-alive sockets would hold close() open.
    ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
  })
}
