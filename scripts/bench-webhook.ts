// npm run bench:webhook — throughput and latency of the webhook acknowledgement path (signature check,
// parse, inbox INSERT, 200) of the real app on PGlite with its worker on, against a bare Hono endpoint
// measured in the same run (and, for reference, the bot's own webhook handler with a store that keeps
// nothing), with the CPU each request took per thread; then checks on the bot's database that every
// accepted event was stored once, processed, and answered exactly once at the (fake) LINE API. BENCH_SECONDS shortens the phases;
// BENCH_ONLY=rate runs phase 2 alone, BENCH_ONLY=memory the memory phase alone;
// BENCH_WORKER=off leaves the worker off during the load; BENCH_DATABASE_URL uses a Postgres server.
//
// The load generator (autocannon) runs in a child process (this file re-run with --loadgen): the bot
// and the fake LINE API share one event loop, and an in-process autocannon would take CPU from
// that loop and add its own work to every measured latency. autocannon's worker mode is no better
// here: its functions (setupRequest, onResponse) must be files it can require, each worker would walk
// the same body list (duplicate events), and overallRate is applied per worker. A child process gets
// the machine's second core, shares nothing, and reports over IPC.
import { fork, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { readFile, rm, writeFile, mkdtemp } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve, type ServerType } from '@hono/node-server'
import { sql } from 'drizzle-orm'
import { Hono } from 'hono'

const SECRET = 'bench-channel-secret'
const TOKEN = 'bench-channel-access-token'

interface LoadRun {
  label: string
  url: string
  connections: number
  seconds: number
  overallRate?: number
  /** true: every request carries a body never sent before; false: cycle through the list. */
  unique: boolean
}

interface LoadResult {
  label: string
  seconds: number
  ok: number
  non2xx: number
  errors: number
  timeouts: number
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
  /** Indices (into the body list) of the requests answered 2xx, for unique runs. */
  accepted: number[]
  /** A unique run used more bodies than were generated (then some were repeated). */
  exhausted: boolean
  /** CPU µs per 2xx request during the run (filled in by the parent; Linux only). */
  cpu?: CpuUse
}

/** `load` appends bodies to the list; unique runs continue where the previous one stopped. */
type ToChild = { type: 'load'; file: string } | { type: 'run'; run: LoadRun } | { type: 'exit' }
type FromChild = { type: 'ready'; bodies: number } | { type: 'result'; result: LoadResult } | { type: 'error'; error: string }

/**
 * CPU seconds used so far by this process's main thread, its other threads (the PGlite thread, V8's
 * helpers), the load generator and, on a local Postgres server, the server's processes, from /proc
 * (Linux); undefined elsewhere. Differences over a run, per request, show where an acknowledgement's
 * cost goes.
 */
interface CpuSnapshot {
  main: number
  threads: number
  loadgen: number
  /** Per process (they come and go: autovacuum workers); undefined without a local Postgres server. */
  postgres: Map<number, number> | undefined
}
type CpuUse = Record<keyof CpuSnapshot, number>

/** CPU µs per request between two snapshots (a Postgres process that ended meanwhile is left out). */
function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuUse {
  const per = (seconds: number) => (seconds * 1e6) / requests
  let postgres = NaN
  if (before.postgres && after.postgres) {
    postgres = 0
    for (const [pid, seconds] of after.postgres) postgres += seconds - (before.postgres.get(pid) ?? 0)
  }
  return { main: per(after.main - before.main), threads: per(after.threads - before.threads), loadgen: per(after.loadgen - before.loadgen), postgres: per(postgres) }
}
const TICKS = 100 // USER_HZ; Linux reports 100 on every common architecture
/** utime + stime of a /proc/…/stat line, in seconds, and the parent pid. */
function statOf(path: string): { seconds: number; ppid: number } {
  const stat = readFileSync(path, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { seconds: (Number(fields[11]) + Number(fields[12])) / TICKS, ppid: Number(fields[1]) }
}
function cpuSnapshot(loadgenPid: number | undefined, postmasterPid: number | undefined): CpuSnapshot | undefined {
  const perThread = (pid: number) => readdirSync(`/proc/${pid}/task`).map((tid) => ({ tid: Number(tid), seconds: statOf(`/proc/${pid}/task/${tid}/stat`).seconds }))
  try {
    const own = perThread(process.pid)
    const main = own.find((t) => t.tid === process.pid)?.seconds ?? 0
    const all = own.reduce((a, t) => a + t.seconds, 0)
    const loadgen = loadgenPid === undefined ? 0 : perThread(loadgenPid).reduce((a, t) => a + t.seconds, 0)
    let postgres: Map<number, number> | undefined
    if (postmasterPid !== undefined) {
      // The postmaster and its children (the pool's backends, WAL writer, checkpointer…).
      postgres = new Map([[postmasterPid, statOf(`/proc/${postmasterPid}/stat`).seconds]])
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue
        try {
          const p = statOf(`/proc/${entry}/stat`)
          if (p.ppid === postmasterPid) postgres.set(Number(entry), p.seconds)
        } catch {
          // gone meanwhile
        }
      }
    }
    return { main, threads: all - main, loadgen, postgres }
  } catch {
    return undefined
  }
}

const pct = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!)

if (process.argv.includes('--loadgen')) await loadgen()
else await main()

// ---------------------------------------------------------------------------------------------
// Load generator (child process)
// ---------------------------------------------------------------------------------------------

interface AutocannonRequest {
  method?: string
  path?: string
  headers?: Record<string, string>
  body?: string | Buffer
  setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void
  on(event: 'done', listener: () => void): void
}
type Autocannon = (
  opts: {
    url: string
    connections: number
    duration: number
    overallRate?: number
    timeout?: number
    requests: AutocannonRequest[]
  },
  done: (err: Error | null, result: { errors: number; timeouts: number; non2xx: number; '2xx': number; duration: number }) => void,
) => AutocannonInstance

async function loadgen(): Promise<void> {
  // autocannon is CommonJS without type declarations.
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon
  let bodies: { body: Buffer; signature: string }[] = []
  let cursor = 0 // next never-sent body, shared by all unique runs
  let spin = 0
  const send = (m: FromChild) => process.send!(m)
  process.on('disconnect', () => process.exit(0))

  process.on('message', (m: ToChild) => {
    void (async () => {
      try {
        if (m.type === 'exit') process.exit(0)
        if (m.type === 'load') {
          const raw = JSON.parse(await readFile(m.file, 'utf8')) as [string, string][]
          bodies = bodies.concat(raw.map(([body, signature]) => ({ body: Buffer.from(body), signature })))
          send({ type: 'ready', bodies: bodies.length })
          return
        }
        send({ type: 'result', result: await runOne(m.run) })
      } catch (error) {
        send({ type: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
      }
    })()
  })

  function runOne(run: LoadRun): Promise<LoadResult> {
    const latencies: number[] = []
    const accepted: number[] = []
    let exhausted = false
    const request: AutocannonRequest = {
      method: 'POST',
      path: '/webhook',
      // Called synchronously right before each request is written, so `context.idx` names the
      // request whose response onResponse sees next (one request in flight per connection).
      setupRequest: (req, context) => {
        let i: number
        if (run.unique) {
          if (cursor >= bodies.length) exhausted = true
          i = cursor++ % bodies.length
        } else {
          i = spin++ % bodies.length
        }
        context.idx = i
        const b = bodies[i]!
        return { ...req, body: b.body, headers: { 'content-type': 'application/json', 'x-line-signature': b.signature } }
      },
      onResponse: (status, _body, context) => {
        if (run.unique && status >= 200 && status < 300) accepted.push(context.idx as number)
      },
    }
    return new Promise((resolve, reject) => {
      const instance = autocannon(
        { url: run.url, connections: run.connections, duration: run.seconds, overallRate: run.overallRate, timeout: 10, requests: [request] },
        (err, r) => {
          if (err) return reject(err)
          latencies.sort((a, b) => a - b)
          resolve({
            label: run.label,
            seconds: r.duration,
            ok: r['2xx'],
            non2xx: r.non2xx,
            errors: r.errors,
            timeouts: r.timeouts,
            rps: r['2xx'] / r.duration,
            p50: pct(latencies, 0.5),
            p90: pct(latencies, 0.9),
            p99: pct(latencies, 0.99),
            max: latencies.at(-1) ?? NaN,
            accepted,
            exhausted,
          })
        },
      )
      // Raw per-request times with sub-millisecond precision (autocannon's own histogram is in whole
      // milliseconds and, under a rate limit, adds synthetic coordinated-omission samples).
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
      })
    })
  }
}

// ---------------------------------------------------------------------------------------------
// Servers, phases and checks (parent process)
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // BENCH_ONLY=memory: the memory phase alone.
  if (process.env.BENCH_ONLY === 'memory') {
    await memoryAfterFlood(process.env.BENCH_DATABASE_URL)
    process.exit(0)
  }
  const { loadConfig } = await import('../src/config.js')
  const { silentLogger } = await import('../src/log.js')
  const { startServer } = await import('../src/server.js')
  const { FakeLineApi } = await import('../src/simulator/fake-line.js')
  const { textEvent, webhookBody } = await import('../src/simulator/events.js')
  const { signBody } = await import('../src/line/signature.js')
  const { webhookRoutes } = await import('../src/line/webhook.js')
  const { rowsOf } = await import('../src/db/types.js')

  // 5 s phases: phase 1 alone accepts ~25,000 events on PGlite, which the worker answers at ~45/s.
  const seconds = Math.max(1, Number(process.env.BENCH_SECONDS ?? 5) || 5)
  const warmSeconds = Math.max(1, Math.round(seconds / 5))
  const connections = 50
  const rate = 200
  const rateConnections = 10
  const users = 200
  // Menu words, thanks and programme questions (the questions run retrieval in the worker).
  const texts = ['選單', '你好', '謝謝', '雲市集數位點數最多補助多少？', '即時技術輔導要準備哪些文件？', '請問有什麼補助可以申請']
  const load0 = loadavg()

  const listen = (fetch: (req: Request) => Response | Promise<Response>) =>
    new Promise<{ server: ServerType; url: string }>((resolve, reject) => {
      const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (i) => resolve({ server: s, url: `http://127.0.0.1:${i.port}` }))
      s.once('error', reject)
    })
  const close = (s: ServerType) =>
    new Promise<void>((resolve) => {
      s.close(() => resolve())
      ;(s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
    })

  // The fake LINE API; a thin wrapper notes which reply token / retry key each accepted call used,
  // so replies can be counted per event.
  const fake = new FakeLineApi(TOKEN)
  const replied = new Map<string, number>() // reply token → accepted reply calls
  const pushed = new Map<string, number>() // retry key → accepted push calls
  const line = await listen(async (req) => {
    const path = new URL(req.url).pathname
    const copy = path.endsWith('/reply') || path.endsWith('/push') ? req.clone() : undefined
    const res = await fake.app.fetch(req)
    if (copy && res.status === 200) {
      if (path.endsWith('/reply')) {
        const token = ((await copy.json()) as { replyToken: string }).replyToken
        replied.set(token, (replied.get(token) ?? 0) + 1)
      } else {
        const key = copy.headers.get('x-line-retry-key') ?? '(none)'
        pushed.set(key, (pushed.get(key) ?? 0) + 1)
      }
    }
    return res
  })

  const dataDir = await mkdtemp(join(tmpdir(), 'bench-webhook-'))
  // BENCH_DATABASE_URL: an (empty) Postgres server database instead of PGlite (e.g. from scripts/pg-server.sh start DIR).
  const serverUrl = process.env.BENCH_DATABASE_URL
  const config = loadConfig({
    PORT: '0',
    ...(serverUrl ? { DATABASE_URL: serverUrl } : { DATA_DIR: dataDir }),
    LINE_CHANNEL_SECRET: SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
    LINE_API_BASE_URL: line.url,
  })
  let handled = 0
  // BENCH_WORKER=off: the acknowledgement path alone (the worker starts after the load and drains the backlog).
  const ackOnly = process.env.BENCH_WORKER === 'off'
  const bot = await startServer(config, { hostname: '127.0.0.1', log: silentLogger, worker: !ackOnly, pollMs: 1000, onHandled: () => handled++ })
  let child: ChildProcess | undefined
  try {
    await bot.knowledgeReady
    const db = bot.database.db

    // The baseline: a bare Hono endpoint that reads the body and answers {}.
    const bare = new Hono()
    bare.post('/webhook', async (c) => {
      await c.req.arrayBuffer()
      return c.json({}, 200)
    })
    const baseline = await listen(bare.fetch)
    // A second baseline: the bot's own webhook handler (size limit, signature check on the raw bytes,
    // JSON parse, zod validation) with a store that keeps nothing, so the gap between it and the bot
    // is the cost of the durable inbox write.
    const verifying = new Hono().route(
      '/webhook',
      webhookRoutes({ store: async () => 0, channelSecret: SECRET, log: silentLogger, onAccepted: () => {} }),
    )
    const verifyingBaseline = await listen(verifying.fetch)

    // Signed bodies, one new text event each, from `users` users, with reply tokens issued by the fake
    // (valid for an hour, so that a backlog handled minutes later still replies rather than pushes).
    const eventIds: string[] = []
    const tokenIdx = new Map<string, number>()
    let genMs = 0
    async function addBodies(count: number): Promise<string> {
      const t0 = performance.now()
      const pool: [string, string][] = []
      for (let n = 0; n < count; n++) {
        const i = eventIds.length
        const userId = `Ubench${String(i % users).padStart(4, '0')}`
        const token = fake.issueReplyToken(userId, 3_600_000)
        const event = textEvent({ userId }, texts[i % texts.length]!, token)
        const body = webhookBody([event])
        pool.push([body, signBody(SECRET, body)])
        eventIds.push(event.webhookEventId)
        tokenIdx.set(token, i)
      }
      const file = join(dataDir, `bodies-${eventIds.length}.json`)
      await writeFile(file, JSON.stringify(pool))
      genMs += performance.now() - t0
      return file
    }

    // The load generator: this file in a child process.
    const loadgen = fork(process.argv[1]!, ['--loadgen'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child = loadgen
    const ask = <T extends FromChild['type']>(m: ToChild, want: T) =>
      new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
        const onMessage = (r: FromChild) => {
          loadgen.off('exit', onExit)
          loadgen.off('message', onMessage)
          if (r.type === 'error') reject(new Error(`load generator: ${r.error}`))
          else if (r.type !== want) reject(new Error(`load generator answered ${r.type}, expected ${want}`))
          else resolve(r as Extract<FromChild, { type: T }>)
        }
        const onExit = (code: number | null) => reject(new Error(`load generator exited (${code})`))
        loadgen.on('message', onMessage)
        loadgen.once('exit', onExit)
        loadgen.send(m)
      })
    // A Postgres server on this machine: its postmaster, the parent of our connection's backend.
    let postmasterPid: number | undefined
    if (serverUrl) {
      try {
        const backend = Number(rowsOf<{ pid: number }>(await db.execute(sql`SELECT pg_backend_pid() AS pid`))[0]!.pid)
        postmasterPid = statOf(`/proc/${backend}/stat`).ppid
      } catch {
        // not local, or no /proc: no Postgres column
      }
    }
    const run = async (r: LoadRun) => {
      const before = cpuSnapshot(loadgen.pid, postmasterPid)
      const result = (await ask({ type: 'run', run: r }, 'result')).result
      const after = cpuSnapshot(loadgen.pid, postmasterPid)
      if (before && after && result.ok > 0) result.cpu = cpuPerRequest(before, after, result.ok)
      return result
    }

    const allAccepted: number[] = []
    const keep = (r: LoadResult) => {
      allAccepted.push(...r.accepted)
      return r
    }
    const countDone = async () => Number(rowsOf<{ n: number | string }>(await db.execute(sql`SELECT count(*) AS n FROM inbox WHERE status = 'done'`))[0]!.n)
    /** Waits until no event and no reply is open; `during` = events the worker handled while the load ran. */
    async function drain(label: string, handledBefore: number, r?: LoadResult): Promise<string> {
      const during = handled - handledBefore
      const started = performance.now()
      const before = await countDone()
      // Fails when the worker stops making progress, not after a fixed time: a large backlog on a
      // slow machine is slow, not wrong.
      let progress = { done: before, at: started }
      for (;;) {
        const open = rowsOf<{ inbox: number | string; outbox: number | string; done: number | string }>(
          await db.execute(sql`SELECT
            (SELECT count(*) FROM inbox WHERE status IN ('pending', 'processing')) AS inbox,
            (SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')) AS outbox,
            (SELECT count(*) FROM inbox WHERE status = 'done') AS done`),
        )[0]!
        if (Number(open.inbox) === 0 && Number(open.outbox) === 0) break
        const done = Number(open.done)
        if (done > progress.done) progress = { done, at: performance.now() }
        else if (performance.now() - progress.at > 60_000) throw new Error(`${label}: no event handled for 60 s (${open.inbox} events, ${open.outbox} replies open)`)
        await new Promise((res) => setTimeout(res, 200))
      }
      const ms = performance.now() - started
      const after = (await countDone()) - before
      const rateNote = after > 0 ? ` (${(after / (ms / 1000)).toFixed(0)} events/s)` : ''
      return `${label.padEnd(8)} ${r ? `${r.ok} acknowledged, ` : ''}${during} handled by the worker during the run, backlog of ${after} drained in ${(ms / 1000).toFixed(1)} s${rateNote}`
    }

    console.log(`bench:webhook — ${seconds} s phases; ${cpus().length} CPUs, Node ${process.version}, load average ${load0.map((x) => x.toFixed(2)).join(' ')}`)
    console.log(`bot (startServer: ${serverUrl ? 'Postgres server' : 'PGlite'}, worker ${ackOnly ? 'off during the load' : 'on'}), fake LINE API and baseline serve from this process; autocannon runs in a child process`)

    // Warm-up (JIT, PGlite caches); its events are verified with the rest.
    await ask({ type: 'load', file: await addBodies(Math.min(50_000, 5000 * warmSeconds)) }, 'ready')
    await run({ label: 'warm-up baseline', url: baseline.url, connections: 10, seconds: warmSeconds, unique: false })
    await run({ label: 'warm-up verifying', url: verifyingBaseline.url, connections: 10, seconds: warmSeconds, unique: false })
    let mark = handled
    const warm = keep(await run({ label: 'warm-up bot', url: bot.url, connections: 10, seconds: warmSeconds, unique: true }))
    const settle = async (label: string, before: number, r: LoadResult) => (ackOnly ? `${label.padEnd(8)} ${r.ok} acknowledged, queued (worker off during the load)` : drain(label, before, r))
    const drains = [await settle('warm-up', mark, warm)]

    // Enough never-sent bodies for both bot phases, from the warm-up throughput (with room to spare:
    // the warm-up's 10 connections reach a fraction of phase 1's rate).
    const perSecond = Math.min(30_000, Math.max(3000, Math.ceil(warm.rps * 8)))
    const have = eventIds.length - allAccepted.length
    const need = perSecond * seconds + Math.ceil(rate * seconds * 1.5)
    if (need > have) await ask({ type: 'load', file: await addBodies(need - have) }, 'ready')
    console.log(`${eventIds.length} signed bodies (one new event each) generated in ${(genMs / 1000).toFixed(1)} s\n`)

    const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—')
    // Phase 1: max throughput, the baseline first.
    // BENCH_ONLY=rate: phase 2 alone (phase 1's backlog takes minutes to drain), to compare settings quickly.
    const rateOnly = process.env.BENCH_ONLY === 'rate'
    const skipped = (label: string): LoadResult => ({ label, seconds: 0, ok: 0, non2xx: 0, errors: 0, timeouts: 0, rps: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN, accepted: [], exhausted: false })
    const p1Base = rateOnly ? skipped('baseline (bare Hono)') : await run({ label: 'baseline (bare Hono)', url: baseline.url, connections, seconds, unique: false })
    const p1Verify = rateOnly ? skipped('baseline verifying, no store') : await run({ label: 'baseline verifying, no store', url: verifyingBaseline.url, connections, seconds, unique: false })
    mark = handled
    const p1Bot = rateOnly ? skipped('bot /webhook') : keep(await run({ label: 'bot /webhook', url: bot.url, connections, seconds, unique: true }))
    if (!rateOnly) {
      console.log(
        `phase 1: baseline ${f(p1Base.rps, 0)} req/s, verifying baseline ${f(p1Verify.rps, 0)} req/s (${f((p1Verify.rps / p1Base.rps) * 100, 1)}%), bot ${f(p1Bot.rps, 0)} req/s (${f((p1Bot.rps / p1Base.rps) * 100, 1)}%)`,
      )
      drains.push(await settle('phase 1', mark, p1Bot))
    }

    // Phase 2: fixed rate against the bot.
    mark = handled
    const p2Bot = keep(await run({ label: `bot /webhook @ ${rate}/s`, url: bot.url, connections: rateConnections, seconds, overallRate: rate, unique: true }))
    console.log(`phase 2: bot p50 ${f(p2Bot.p50, 2)} ms, p99 ${f(p2Bot.p99, 2)} ms at ${f(p2Bot.rps, 0)} req/s; waiting for the worker…`)
    drains.push(await settle('phase 2', mark, p2Bot))
    if (ackOnly) {
      mark = handled
      bot.worker.start()
      drains.push(await drain('backlog', mark))
    }

    // Checks on the bot's database and the fake LINE API.
    const ids = [...new Set(allAccepted.map((i) => eventIds[i]!))]
    // A plain table: on a Postgres pool the statements below may run on different connections.
    await db.execute(sql`CREATE TABLE bench_accepted (webhook_event_id text PRIMARY KEY)`)
    for (let i = 0; i < ids.length; i += 1000) {
      await db.execute(sql`INSERT INTO bench_accepted VALUES ${sql.join(ids.slice(i, i + 1000).map((id) => sql`(${id})`), sql`, `)}`)
    }
    const check = rowsOf<Record<string, number | string>>(
      await db.execute(sql`SELECT
        (SELECT count(*) FROM bench_accepted) AS accepted,
        (SELECT count(*) FROM bench_accepted a JOIN inbox i USING (webhook_event_id)) AS stored,
        (SELECT count(*) FROM bench_accepted a WHERE NOT EXISTS (SELECT 1 FROM inbox i WHERE i.webhook_event_id = a.webhook_event_id)) AS lost,
        (SELECT count(*) FROM bench_accepted a JOIN inbox i USING (webhook_event_id) WHERE i.status = 'done') AS done,
        (SELECT count(*) FROM inbox) AS inbox_rows,
        (SELECT count(DISTINCT webhook_event_id) FROM inbox) AS inbox_distinct,
        (SELECT count(*) FROM inbox WHERE status <> 'done') AS inbox_not_done,
        (SELECT count(*) FROM inbox WHERE last_error IS NOT NULL) AS inbox_errors,
        (SELECT count(*) FROM inbox i WHERE NOT EXISTS (SELECT 1 FROM bench_accepted a WHERE a.webhook_event_id = i.webhook_event_id)) AS unobserved,
        (SELECT count(*) FROM outbox) AS outbox_rows,
        (SELECT count(*) FROM outbox WHERE status <> 'sent') AS outbox_not_sent,
        (SELECT count(*) FROM (SELECT webhook_event_id FROM messages WHERE direction = 'in' GROUP BY webhook_event_id HAVING count(*) > 1) d) AS dup_inbound`),
    )[0]!
    await db.execute(sql`DROP TABLE bench_accepted`)
    const n = (k: string) => Number(check[k])

    // LINE calls per stored event: reply calls by the event's reply token, push calls by the retry
    // keys of its outbox rows; each event should see exactly one call per outbox row (normally one).
    const outbox = rowsOf<{ webhook_event_id: string | null; retry_key: string }>(await db.execute(sql`SELECT webhook_event_id, retry_key FROM outbox`))
    const expected = new Map<string, number>()
    const delivered = new Map<string, number>()
    const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
    for (const o of outbox) {
      if (!o.webhook_event_id) continue
      add(expected, o.webhook_event_id, 1)
      add(delivered, o.webhook_event_id, pushed.get(o.retry_key) ?? 0)
    }
    let stray = 0
    for (const [token, count] of replied) {
      const i = tokenIdx.get(token)
      if (i === undefined) stray += count
      else add(delivered, eventIds[i]!, count)
    }
    const storedIds = rowsOf<{ webhook_event_id: string }>(await db.execute(sql`SELECT webhook_event_id FROM inbox`)).map((r) => r.webhook_event_id)
    let once = 0
    let duplicated = 0
    let missing = 0
    let multiBatch = 0
    for (const id of storedIds) {
      const want = Math.max(1, expected.get(id) ?? 0)
      const got = delivered.get(id) ?? 0
      if (want > 1) multiBatch++
      if (got === want) once++
      else if (got > want) duplicated++
      else missing++
    }
    const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0)

    // Report.
    const cols = ['req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', '2xx', 'other', 'cpu main', 'threads', 'postgres', 'loadgen']
    const row = (r: LoadResult) =>
      [
        r.label.padEnd(28),
        ...[f(r.rps, 0), f(r.p50, 2), f(r.p90, 2), f(r.p99, 2), f(r.max, 1), String(r.ok), String(r.non2xx + r.errors + r.timeouts)].map((v) => v.padStart(8)),
        ...(r.cpu ? [r.cpu.main, r.cpu.threads, r.cpu.postgres, r.cpu.loadgen] : [NaN, NaN, NaN, NaN]).map((v) => f(v, 0).padStart(8)),
      ].join(' ')
    console.log(['run'.padEnd(28), ...cols.map((c) => c.padStart(8))].join(' '))
    console.log(`phase 1 — max throughput, ${connections} connections, ${seconds} s each`)
    console.log(row(p1Base))
    console.log(row(p1Verify))
    console.log(row(p1Bot))
    console.log(`phase 2 — overallRate ${rate} req/s, ${rateConnections} connections, ${seconds} s`)
    console.log(row(p2Bot))
    console.log('(latency: raw per-request times from autocannon response events, 2xx only; other = non-2xx + errors + timeouts;')
    console.log(' cpu: µs of CPU per 2xx request on this process\'s main thread, its other threads (PGlite\'s, V8\'s), a local Postgres')
    console.log(' server\'s processes, and the load generator)')
    console.log('\nworker')
    for (const d of drains) console.log(`  ${d}`)
    if (p1Bot.exhausted || p2Bot.exhausted) console.log('WARNING: the body list ran out and some bodies were sent twice; the counts below are then not exact')

    console.log('\nchecks (SQL on the bot database; LINE calls seen by the fake LINE API)')
    console.log(`  accepted events (2xx)                 ${n('accepted')}${allAccepted.length === n('accepted') ? '' : ` distinct (${allAccepted.length} 2xx responses)`}`)
    console.log(`  … in the inbox exactly once           ${n('stored')}   lost ${n('lost')}`)
    console.log(`  … processed (status done)             ${n('done')}`)
    console.log(`  inbox rows / distinct ids / not done  ${n('inbox_rows')} / ${n('inbox_distinct')} / ${n('inbox_not_done')}   (${n('unobserved')} stored while autocannon stopped before reading the 2xx; ${n('inbox_errors')} with last_error)`)
    console.log(`  outbox rows / not sent                ${n('outbox_rows')} / ${n('outbox_not_sent')}   (${multiBatch} events with more than one batch)`)
    console.log(`  LINE API calls accepted               reply ${sum(replied)}, push ${sum(pushed)}, fake deliveries ${fake.deliveries.length}, unknown token ${stray}`)
    console.log(`  events answered exactly once          ${once} of ${storedIds.length}   duplicated ${duplicated}   missing ${missing}   duplicate inbound rows ${n('dup_inbound')}`)

    const ratio = p1Bot.rps / p1Base.rps
    const integrity = n('lost') === 0 && n('done') === n('accepted') && duplicated === 0 && missing === 0 && n('dup_inbound') === 0 && stray === 0
    const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL')
    console.log('\ntargets')
    // The target is 25%: a durable insert before each 200 is the physical cost of never losing an event.
    if (!rateOnly) {
      console.log(`  [${pass(ratio >= 0.25)}] phase 1 throughput bot/baseline ≥ 25%: ${f(ratio * 100, 1)}% (${f(p1Bot.rps, 0)} / ${f(p1Base.rps, 0)} req/s)`)
      console.log(`         (for reference: verifying baseline/bare ${f((p1Verify.rps / p1Base.rps) * 100, 1)}%, bot/verifying baseline ${f((p1Bot.rps / p1Verify.rps) * 100, 1)}%)`)
    }
    console.log(`  [${pass(p2Bot.p99 < 25)}] phase 2 p99 < 25 ms at ${rate} req/s: ${f(p2Bot.p99, 2)} ms (achieved ${f(p2Bot.rps, 0)} req/s)`)
    console.log(`  [${pass(integrity)}] accepted events stored once, processed, answered once: lost ${n('lost')}, not done ${n('accepted') - n('done')}, duplicated ${duplicated}, missing ${missing}`)
    console.log(`load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes on this machine skew the numbers)`)

    const exited = new Promise((resolve) => loadgen.once('exit', resolve))
    loadgen.send({ type: 'exit' } satisfies ToChild)
    await exited
    await close(baseline.server)
    await close(verifyingBaseline.server)
  } finally {
    if (child && child.exitCode === null) child.kill()
    await bot.close()
    await close(line.server)
    await rm(dataDir, { recursive: true, force: true })
  }
  if (process.env.BENCH_RSS !== 'off' && process.env.BENCH_ONLY !== 'rate') await memoryAfterFlood(serverUrl)
  process.exit(0)
}

/**
 * Resident and peak memory, from /proc (Linux), in MB: of the process and, summed, of the processes it
 * started (the upload converter's launcher), which belong to the bot as much as its threads do.
 */
function memoryOf(pid: number): { rss: number; peak: number; children: number } {
  const read = (p: number) => {
    const status = readFileSync(`/proc/${p}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 }
  }
  const descendants = (p: number): number[] => {
    const kids = readdirSync(`/proc/${p}/task`).flatMap((t) => readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number))
    return kids.flatMap((k) => [k, ...descendants(k)])
  }
  const own = read(pid)
  const others = descendants(pid).map(read)
  const children = others.reduce((n, m) => n + m.rss, 0)
  return { rss: own.rss + children, peak: own.peak + others.reduce((n, m) => n + m.peak, 0), children }
}

/**
 * The production bot (npm start's compiled entry, dist/node.js) as a child process: its resident
 * memory once ready, then after 2,000 events sent 20 at a time have all been answered.
 */
async function memoryAfterFlood(serverUrl: string | undefined): Promise<void> {
  const { execFileSync } = await import('node:child_process')
  const { FakeLineApi } = await import('../src/simulator/fake-line.js')
  const { textEvent, postWebhook } = await import('../src/simulator/events.js')
  const { freePort, sleep, startBuiltBot, stopBuiltBot, untilReady } = await import('./built-bot.js')
  const events = 2000
  const concurrency = 20
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  const fake = new FakeLineApi(TOKEN)
  const linePort = await freePort()
  const lineServer = serve({ fetch: fake.app.fetch, port: linePort, hostname: '127.0.0.1' })
  const port = await freePort()
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-rss-'))
  const start = () =>
    startBuiltBot(port, {
      LINE_CHANNEL_SECRET: SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
      LINE_API_BASE_URL: `http://127.0.0.1:${linePort}`,
      ...(serverUrl ? { DATABASE_URL: serverUrl } : { DATA_DIR: dataDir }),
    })
  const ready = async (b: ReturnType<typeof start>) => {
    await untilReady(b)
    await sleep(10_000) // the start-up knowledge sync
  }
  // The first start creates the database and indexes the knowledge; production restarts find both.
  // RSS counts the bot's process and the processes it started (the upload converter's launcher).
  let bot = start()
  const url = bot.url
  try {
    await ready(bot)
    const firstStart = memoryOf(bot.child.pid!)
    await stopBuiltBot(bot)
    bot = start()
    await ready(bot)
    const restarted = memoryOf(bot.child.pid!)
    const texts = ['選單', '你好', '雲市集數位點數最多補助多少？', '即時技術輔導要準備哪些文件？', '請問有什麼補助可以申請']
    const started = performance.now()
    let next = 0
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < events; i = next++) {
          const userId = `Urss${String(i % 200).padStart(4, '0')}`
          const res = await postWebhook(`${url}/webhook`, SECRET, [textEvent({ userId }, texts[i % texts.length]!, fake.issueReplyToken(userId, 3_600_000))])
          if (!res.ok) throw new Error(`webhook answered ${res.status}`)
        }
      }),
    )
    const sentMs = performance.now() - started
    const answered = () => fake.deliveries.length
    for (let last = 0, at = Date.now(); answered() < events; await sleep(200)) {
      if (answered() > last) [last, at] = [answered(), Date.now()]
      else if (Date.now() - at > 60_000) throw new Error(`the built bot stopped answering at ${answered()} of ${events}`)
    }
    const answeredMs = performance.now() - started
    await sleep(5_000)
    const after = memoryOf(bot.child.pid!)
    console.log(`\nmemory — the built bot (node dist/node.js, ${serverUrl ? 'Postgres server' : 'PGlite'}) in a child process, started, stopped and started again`)
    console.log(`  first start (creates the database)    RSS ${firstStart.rss.toFixed(0)} MB, peak ${firstStart.peak.toFixed(0)} MB`)
    console.log(`  restarted on that database, ready     RSS ${restarted.rss.toFixed(0)} MB (of which its child processes ${restarted.children.toFixed(0)} MB)`)
    console.log(`  ${events} events sent ${concurrency} at a time in ${(sentMs / 1000).toFixed(1)} s, all answered after ${(answeredMs / 1000).toFixed(1)} s (${fake.deliveries.length} LINE deliveries)`)
    console.log(`  5 s after the flood                   RSS ${after.rss.toFixed(0)} MB (of which its child processes ${after.children.toFixed(0)} MB), peak ${after.peak.toFixed(0)} MB`)
    console.log(`  [${after.rss < 400 ? 'PASS' : 'FAIL'}] RSS after a ${events}-event flood < 400 MB: ${after.rss.toFixed(0)} MB`)
  } finally {
    await stopBuiltBot(bot)
    lineServer.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}
