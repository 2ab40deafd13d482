// npm run bench:campaign: a 5,000-recipient campaign sent by the compiled bot (dist/node.js, built
// first) to a fake LINE API on a socket in this process, with the bot killed (SIGKILL) while a
// multicast is in flight and started again. PGlite in a fresh data folder; with BENCH_DATABASE_URL
// also a Postgres server with two instances, one of them killed and restarted. Prints time, LINE
// calls (⌈n/500⌉ plus retries), the bot's peak RSS, and whether every recipient got exactly one copy.
import { mkdtemp, rm } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { openPostgres } from '../src/db/postgres.js'
import type { Database } from '../src/db/types.js'
import { createCampaign, MULTICAST_MAX } from '../src/outreach/campaigns.js'
import { FakeLineApi } from '../src/simulator/fake-line.js'
import { freePort, sleep, startBuiltBot, stopBuiltBot, until, untilReady, type BuiltBot } from './built-bot.js'

const N = Number(process.env.BENCH_RECIPIENTS ?? 5000)
const SECRET = 'bench-secret'
const TOKEN = 'bench-token'
/** LINE takes this long to accept each multicast, so the kill lands mid-call. */
const DELAY_MS = 150

async function seed(database: Database): Promise<void> {
  await migrate(database.db, await readMigrations())
  const ids = Array.from({ length: N }, (_, i) => `U${String(i).padStart(32, '0')}`)
  for (let i = 0; i < ids.length; i += 1000) {
    const part = ids.slice(i, i + 1000)
    await database.db.execute(sql`INSERT INTO users (id, status, followed_at) VALUES ${sql.join(part.map((id) => sql`(${id}, 'active', now() - interval '1 day')`), sql`, `)}`)
    await database.db.execute(sql`INSERT INTO subscriptions (user_id, topic) VALUES ${sql.join(part.map((id) => sql`(${id}, 'windows')`), sql`, `)}`)
  }
  await createCampaign(database.db, { title: 'bench', messages: [{ type: 'text', text: '新計畫開放申請（測試）' }], audience: { topics: ['windows'], regions: [], industries: [], levels: [] }, createdBy: 'bench' })
}

/** Peak resident memory of the given processes (Linux /proc), sampled every 100 ms. */
function rssSampler(bots: () => BuiltBot[]) {
  let peak = 0
  const timer = setInterval(() => {
    for (const b of bots()) {
      try {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${b.child.pid}/status`, 'utf8'))?.[1] ?? 0)
        peak = Math.max(peak, kb * 1024)
      } catch {}
    }
  }, 100)
  return { stop: () => (clearInterval(timer), peak) }
}

async function run(label: string, env: Record<string, string>, instances: number): Promise<boolean> {
  const fake = new FakeLineApi(TOKEN)
  fake.multicastDelayMs = DELAY_MS
  const server = await new Promise<{ close(): void; port: number }>((resolve) => {
    const s = serve({ fetch: fake.app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ close: () => s.close(), port: info.port }))
  })
  const common = { ...env, LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: TOKEN, LINE_API_BASE_URL: `http://127.0.0.1:${server.port}` }
  const ports = await Promise.all(Array.from({ length: instances }, () => freePort()))
  let bots = ports.map((p) => startBuiltBot(p, common))
  const rss = rssSampler(() => bots)
  const started = performance.now()
  await Promise.all(bots.map((b) => untilReady(b)))
  // Kill the first instance while a multicast is in flight, once a few batches went out.
  await until(() => fake.multicasts.length >= 2, 'two batches', 120_000)
  await stopBuiltBot(bots[0]!, 'SIGKILL')
  const killedAt = fake.multicasts.length
  await sleep(DELAY_MS * 2)
  bots = [startBuiltBot(ports[0]!, common), ...bots.slice(1)]
  await untilReady(bots[0]!)
  const expected = Math.ceil(N / MULTICAST_MAX)
  await until(() => fake.multicasts.length >= expected, 'every batch', 300_000)
  await sleep(1000) // anything sent twice would show now
  const seconds = (performance.now() - started) / 1000
  const peak = rss.stop()
  const calls = fake.requests.filter((r) => r.path === '/v2/bot/message/multicast')
  const counts = new Map<string, number>()
  for (const m of fake.multicasts) for (const to of m.to) counts.set(to, (counts.get(to) ?? 0) + 1)
  const once = counts.size === N && [...counts.values()].every((n) => n === 1)
  console.log(
    `${label.padEnd(34)} ${N} recipients in ${seconds.toFixed(1)} s · multicasts accepted ${fake.multicasts.length} (⌈n/500⌉ = ${expected}) · ` +
      `LINE calls ${calls.length} (${calls.filter((c) => c.status === 409).length} answered 409, already accepted) · killed (SIGKILL) after ${killedAt} were accepted · ` +
      `peak RSS ${(peak / 2 ** 20).toFixed(0)} MB · every recipient exactly once: ${once ? 'YES' : 'NO'}`,
  )
  for (const b of bots) await stopBuiltBot(b)
  server.close()
  return once
}

const results: boolean[] = []
{
  const dir = await mkdtemp(join(tmpdir(), 'bench-campaign-'))
  const database = await openPglite(dir)
  await seed(database)
  await database.close()
  results.push(await run('PGlite, one instance, kill -9', { DATA_DIR: dir }, 1))
  await rm(dir, { recursive: true, force: true })
}
if (process.env.BENCH_DATABASE_URL) {
  const name = `bench_campaign_${Date.now()}`
  const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(process.env.BENCH_DATABASE_URL)
  url.pathname = `/${name}`
  const database = openPostgres(url.toString())
  await seed(database)
  await database.close()
  results.push(await run('Postgres, two instances, one kill -9', { DATABASE_URL: url.toString() }, 2))
} else {
  console.log('(set BENCH_DATABASE_URL to a Postgres server to run the two-instance case as well)')
}
process.exit(results.every(Boolean) ? 0 : 1)
