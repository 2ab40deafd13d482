import { serve, type ServerType } from '@hono/node-server'
import pg from 'pg'
import { inject } from 'vitest'
import { loadConfig } from '../../src/config.js'
import type { HandledEvent } from '../../src/inbox/worker.js'
import { createLogger, type Logger } from '../../src/log.js'
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.js'
import { FakeLineApi } from '../../src/simulator/fake-line.js'
import { postWebhook } from '../../src/simulator/events.js'

export const SECRET = 'test-channel-secret'
export const TOKEN = 'test-channel-access-token'

export type Engine = 'pglite' | 'postgres'

/** The engines a storage suite runs on: PGlite always, the real server when the global setup has one. */
export function engines(): { engine: Engine; skip?: string }[] {
  const pgInfo = inject('postgres')
  return [{ engine: 'pglite' }, 'url' in pgInfo ? { engine: 'postgres' } : { engine: 'postgres', skip: pgInfo.skipped }]
}

/** A fresh, empty database on the shared test server (one per test, so tests never see each other). */
export async function freshServerDatabase(): Promise<string> {
  const pgInfo = inject('postgres')
  if (!('url' in pgInfo)) throw new Error(pgInfo.skipped)
  const name = `t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`
  const admin = new pg.Client({ connectionString: pgInfo.url })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(pgInfo.url)
  url.pathname = `/${name}`
  return url.toString()
}

export interface FakeLineServer {
  fake: FakeLineApi
  url: string
  close(): Promise<void>
}

/** The fake LINE API on a real loopback socket. */
export async function startFakeLine(clock?: () => number): Promise<FakeLineServer> {
  const fake = new FakeLineApi(TOKEN, clock)
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const s = serve({ fetch: fake.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server: s, port: info.port }))
  })
  return {
    fake,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export interface BotOptions extends ServerOptions {
  engine: Engine
  lineUrl: string
  /** Reuse a database (PGlite folder or server URL), e.g. to restart after a crash. */
  database?: string
  env?: Record<string, string>
}

export interface Bot extends RunningServer {
  handled: HandledEvent[]
  logs: Record<string, unknown>[]
  /** The database this bot used, to start another instance on it. */
  databaseRef: string
  send(events: unknown[], secret?: string): Promise<Response>
}

/** The real app on a real socket, with test credentials, a fast retry policy and a captured log. */
export async function startBot(options: BotOptions): Promise<Bot> {
  const databaseRef = options.database ?? (options.engine === 'postgres' ? await freshServerDatabase() : 'memory://')
  const logs: Record<string, unknown>[] = []
  const log: Logger = options.log ?? createLogger('debug', (line) => logs.push(JSON.parse(line) as Record<string, unknown>))
  const handled: HandledEvent[] = []
  const config = loadConfig({
    PORT: '0',
    LINE_CHANNEL_SECRET: SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
    LINE_API_BASE_URL: options.lineUrl,
    ...(options.engine === 'postgres' ? { DATABASE_URL: databaseRef } : { DATA_DIR: databaseRef }),
    ...options.env,
  })
  const server = await startServer(config, {
    hostname: '127.0.0.1',
    pollMs: 200,
    knowledgeDir: false,
    retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 2000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    ...options,
    log,
    onHandled: (h) => {
      handled.push(h)
      options.onHandled?.(h)
    },
  })
  return {
    ...server,
    close: server.close,
    handled,
    logs,
    databaseRef,
    send: (events, secret = SECRET) => postWebhook(`${server.url}/webhook`, secret, events),
  }
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

export interface ChatSetup {
  line: FakeLineServer
  bot: Bot
  close(): Promise<void>
}

/** A fake LINE API plus the real bot on PGlite with a knowledge folder indexed: the usual conversation-test setup. */
export async function startChatBot(knowledgeDir: string, env?: Record<string, string>): Promise<ChatSetup> {
  const line = await startFakeLine()
  const bot = await startBot({ engine: 'pglite', lineUrl: line.url, knowledgeDir, env })
  await bot.knowledgeReady
  return {
    line,
    bot,
    close: async () => {
      await bot.close()
      await line.close()
    },
  }
}
