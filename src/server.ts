import { hostname as hostName } from 'node:os'
import { buildBot } from './bot.js'
import { createLlmCapabilities } from './answer/generative.js'
import { readAnswerPrompts, readIntentPrompt } from './answer/prompts-fs.js'
import { readDefinition } from './assessment/load.js'
import type { Config } from './config.js'
import { readConsoleTexts } from './console/texts-fs.js'
import { readMigrations } from './db/migrations-fs.js'
import { readProgrammeRules } from './eligibility/load.js'
import { readHandoffSettings } from './handoff/load.js'
import { readReminderSettings } from './outreach/files.js'
import { createEmbedder } from './knowledge/embedder.js'
import { createLineApi } from './line/client.js'
import { createRichMenuApi } from './line/richmenu-client.js'
import { createLogger } from './log.js'
import { meteredLineApi } from './metrics/metered-line.js'
import { createPrometheusMetrics } from './metrics/prometheus.js'
import { convertInProcess } from './pmo/convert-isolated.js'
import { listen, openMigratedDatabase, runNodeBot, type RunningServer, type ServerOptions } from './runtime/node.js'
import { FakeLineApi } from './simulator/fake-line.js'

export type { RunningServer, ServerOptions } from './runtime/node.js'

/** The Node entry: picks the adapters for this config (src/bot.ts builds the bot) and serves it. */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel)
  const embedder = createEmbedder(config)
  // Generated answers when an OpenAI-compatible model is configured; the extractive answer otherwise and as fallback.
  const llm = config.openai ? createLlmCapabilities(config, { ...(await readAnswerPrompts()), intent: await readIntentPrompt() }, options.llmDeadlineMs) : {}
  // The data files: a broken one stops the start, naming the field.
  const [assessment, rules, handoff, reminders] = await Promise.all([readDefinition(), readProgrammeRules(), readHandoffSettings(options.handoffFile), readReminderSettings()])
  const migrations = await readMigrations()
  const database = await openMigratedDatabase(config, migrations, log)
  // Simulator mode: LINE is a fake on its own loopback port (the SDK keeps only the origin of its base URL).
  const fakeLine = config.simulator && !config.line.apiBaseUrl ? new FakeLineApi(config.line.channelAccessToken) : undefined
  const fakeLineServer = fakeLine ? await listen(fakeLine.app, 0, '127.0.0.1') : undefined
  const lineBase = { channelAccessToken: config.line.channelAccessToken, baseUrl: config.line.apiBaseUrl ?? `http://127.0.0.1:${fakeLineServer!.port}` }
  const lineApi = createLineApi({ ...lineBase, retry: options.retry })
  // Operations' figures at /metrics, only when a scraper has a token to read them with.
  const metrics = config.metricsToken ? createPrometheusMetrics({ db: database.db, line: lineApi }) : undefined
  const line = metrics ? meteredLineApi(lineApi, metrics) : lineApi
  // A port of 0 is a new one each run: no name to recognise the previous run by (the worker picks a random one).
  const instanceId = options.workerId ?? config.instanceId ?? (config.port !== 0 ? `${hostName()}:${config.port}` : undefined)
  const bot = buildBot({ log, embedder, llm, files: { assessment, rules, handoff, reminders }, consoleTexts: await readConsoleTexts(), adminToken: config.adminToken, convert: convertInProcess })
  return runNodeBot({ config, options, log, database, migrations, line, richMenus: createRichMenuApi(lineBase), metrics, fakeLine, fakeLineServer, instanceId, embedder, bot })
}
