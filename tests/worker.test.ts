import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { copy } from '../src/chat/copy.js'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPostgres } from '../src/db/postgres.js'
import { followEvent, postWebhook } from '../src/simulator/events.js'
import worker, { expectedMigrations } from '../src/worker.js'
import { freshServerDatabase, SECRET, startFakeLine, TOKEN, waitFor, type FakeLineServer } from './helpers/harness.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')

/**
 * Wrangler without network or login: no telemetry or error reports, no update check (it runs with
 * the banner), no download of the `request.cf` data, its config/logs/registry in a temporary home,
 * and no Cloudflare credentials from the caller's environment.
 */
function offlineEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CI: 'true',
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    XDG_CONFIG_HOME: join(home, 'config'),
    WRANGLER_LOG_PATH: join(home, 'logs'),
    WRANGLER_REGISTRY_PATH: join(home, 'registry'),
    MINIFLARE_CACHE_DIR: join(home, 'mf-cache'),
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  }
  for (const key of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_API_KEY', 'CLOUDFLARE_EMAIL', 'CLOUDFLARE_ACCOUNT_ID', 'CLOUDFLARE_INCLUDE_PROCESS_ENV', 'CLOUDFLARE_ENV']) delete env[key]
  return env
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Stops a detached child and everything in its process group (wrangler's esbuild and workerd). */
async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid
  if (pid === undefined) return
  const alive = () => {
    try {
      process.kill(-pid, 0)
      return true
    } catch {
      return false
    }
  }
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (alive()) process.kill(-pid, 'SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))])
  // workerd may outlive wrangler briefly; nothing of the group may remain.
  for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 50))
  if (alive()) process.kill(-pid, 'SIGKILL')
}

describe('Cloudflare Workers bundle', () => {
  it('bundles offline with wrangler deploy --dry-run', { timeout: 120_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'sme-wrangler-build-'))
    try {
      const outdir = join(home, 'out')
      const started = Date.now()
      const { stdout, stderr } = await run(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', outdir], { cwd: ROOT, env: offlineEnv(home), timeout: 110_000 })
      const output = stdout + stderr
      expect(output).toContain('--dry-run: exiting now.')
      expect(output).not.toMatch(/update available|log ?in|Attempting to login/i)
      const bundle = await stat(join(outdir, 'worker.js'))
      expect(bundle.size).toBeGreaterThan(50_000)
      const code = await readFile(join(outdir, 'worker.js'), 'utf8')
      // Workers count the compressed size: 3 MB on the Free plan.
      expect(gzipSync(code).length).toBeLessThan(3 * 1024 * 1024)
      // pg reaches Postgres through Workers sockets, and Node-only parts stay out of the bundle.
      expect(code).toContain('cloudflare:sockets')
      expect(code).not.toMatch(/@electric-sql\/pglite|@hono\/node-server|playwright/)
      console.info(`wrangler bundle: ${(bundle.size / 1024).toFixed(0)} KiB in ${Date.now() - started} ms (${/Total Upload: [^\n]*/.exec(output)?.[0] ?? 'no size line'})`)
    } finally {
      await rm(home, { recursive: true, force: true })
    }
  })
})

const pgInfo = inject('postgres')
const noPostgres = 'skipped' in pgInfo ? pgInfo.skipped : undefined

/** The entry module called directly in Node: its configuration and /readyz logic, not the runtime. */
describe('Workers entry (called in Node)', () => {
  const pending: Promise<unknown>[] = []
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException: () => {}, props: {} }
  afterAll(async () => {
    await Promise.allSettled(pending)
  })

  it('refuses to run without DATABASE_URL, with a clear 500', async () => {
    const res = await worker.fetch(new Request('http://worker/healthz'), { LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: TOKEN }, ctx)
    expect(res.status).toBe(500)
    const body = (await res.json()) as { error: string; detail: string }
    expect(body.detail).toMatch(/DATABASE_URL is required on Cloudflare Workers.*PGlite.*Node-only/)
  })

  it('refuses simulator mode (no LINE credentials), and reports invalid variables', async () => {
    const sim = await worker.fetch(new Request('http://worker/healthz'), { DATABASE_URL: 'postgres://u@127.0.0.1:1/x' }, ctx)
    expect(sim.status).toBe(500)
    expect(((await sim.json()) as { detail: string }).detail).toMatch(/LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN are required/)
    const bad = await worker.fetch(new Request('http://worker/healthz'), { DATABASE_URL: 'not a url', LINE_CHANNEL_SECRET: SECRET }, ctx)
    expect(bad.status).toBe(500)
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/Invalid configuration/)
  })

  it('knows the migrations from the bundled journal, in order', async () => {
    expect(expectedMigrations.map((m) => m.tag)).toEqual((await readMigrations()).map((m) => m.tag))
  })

  it('reports the pending migrations on /readyz, and never migrates', async (t) => {
    if (noPostgres) t.skip(noPostgres)
    const databaseUrl = await freshServerDatabase()
    const env = { DATABASE_URL: databaseUrl, LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: TOKEN, LOG_LEVEL: 'error' }
    const res = await worker.fetch(new Request('http://worker/readyz'), env, ctx)
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ status: 'not ready', pendingMigrations: expectedMigrations.map((m) => m.tag) })
    const again = await worker.fetch(new Request('http://worker/readyz'), env, ctx)
    expect(again.status).toBe(503)
  })
})

const WORKER_ADMIN_TOKEN = 'worker-admin-token-0123456789'

describe('Worker on workerd (wrangler dev, local)', () => {
  let home: string | undefined
  let child: ChildProcess | undefined
  let line: FakeLineServer | undefined
  let base = ''
  let output = ''
  let killOnExit: (() => void) | undefined

  beforeEach((t) => {
    if (noPostgres) t.skip(noPostgres)
  })

  beforeAll(async () => {
    if (noPostgres) return // each test reports itself skipped, with the reason (beforeEach)
    const t0 = Date.now()
    const databaseUrl = await freshServerDatabase()
    const database = openPostgres(databaseUrl, { max: 1 })
    try {
      await migrate(database.db, await readMigrations())
    } finally {
      await database.close()
    }
    line = await startFakeLine()
    home = await mkdtemp(join(tmpdir(), 'sme-wrangler-dev-'))
    // An explicit (empty) env file keeps a developer's .dev.vars or .env out of the test.
    const envFile = join(home, 'test.env')
    await writeFile(envFile, '')
    const [port, inspectorPort] = [await freePort(), await freePort()]
    base = `http://127.0.0.1:${port}`
    const vars = {
      DATABASE_URL: databaseUrl,
      LINE_CHANNEL_SECRET: SECRET,
      LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
      LINE_API_BASE_URL: line.url,
      LOG_LEVEL: 'debug',
      ADMIN_TOKEN: WORKER_ADMIN_TOKEN,
    }
    child = spawn(
      process.execPath,
      [
        WRANGLER, 'dev', '--local',
        '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort),
        '--persist-to', join(home, 'state'), '--env-file', envFile,
        '--show-interactive-dev-session=false',
        ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
      ],
      { cwd: ROOT, env: offlineEnv(home), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    )
    // Should this test process end without afterAll (a crash, a timeout), take wrangler down with it.
    const group = child.pid!
    killOnExit = () => {
      try {
        process.kill(-group, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    process.once('exit', killOnExit)
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
    const spawned = child
    await waitFor(
      async () => {
        if (spawned.exitCode !== null) throw new Error(`wrangler dev exited with ${spawned.exitCode}:\n${output}`)
        const res = await fetch(`${base}/healthz`).catch(() => undefined)
        return res?.ok ?? false
      },
      `wrangler dev to answer /healthz\n${output}`,
      90_000,
    )
    console.info(`wrangler dev ready in ${Date.now() - t0} ms (database, migration and fake LINE API included)`)
  }, 150_000)

  afterAll(async () => {
    if (child) await killGroup(child)
    if (killOnExit) process.off('exit', killOnExit)
    await line?.close()
    if (home) await rm(home, { recursive: true, force: true })
  })

  it('answers a signed follow webhook with the welcome reply, through Postgres and the LINE API', { timeout: 60_000 }, async () => {
    const userId = `Uworker${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`
    const replyToken = line!.fake.issueReplyToken(userId)
    const started = Date.now()
    const res = await postWebhook(`${base}/webhook`, SECRET, [followEvent({ userId }, replyToken)])
    expect(res.status).toBe(200)
    const [delivery] = await waitFor(() => {
      const d = line!.fake.deliveriesFor(userId)
      return d.length > 0 && d
    }, `the welcome reply\n${output}`, 20_000)
    console.info(`worker webhook → LINE reply in ${Date.now() - started} ms`)
    expect(delivery!.via).toBe('reply')
    expect(delivery!.messages[0]).toMatchObject({ type: 'text', text: copy.welcome })
    // The Worker's JSON log line (console.log in workerd), written once the delivery is recorded.
    await waitFor(() => /"msg":"event handled".*"intent":"welcome".*"outcome":"ok"/.test(output), `the worker's log line\n${output}`, 5_000)
  })

  it('reports ready on /readyz and rejects a bad signature', async () => {
    const ready = await fetch(`${base}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
    const forged = await postWebhook(`${base}/webhook`, 'not-the-secret', [followEvent({ userId: 'Uforged' }, 'tok')])
    expect(forged.status).toBe(401)
    // The Node-only simulator is not mounted.
    expect((await fetch(`${base}/simulator`)).status).toBe(404)
  })

  it('serves the consoles: the first PMO account (scrypt on workerd), a session cookie, the case inbox', { timeout: 30_000 }, async () => {
    const setup = await fetch(`${base}/console/setup`, {
      method: 'POST',
      body: new URLSearchParams({ adminToken: WORKER_ADMIN_TOKEN, username: 'pmo', displayName: '工作者 PMO', password: 'worker-password-1' }),
      redirect: 'manual',
    })
    expect(setup.status).toBe(303)
    const cookie = setup.headers.get('set-cookie')?.split(';')[0]
    expect(cookie).toMatch(/^dx_session=/)
    const login = await fetch(`${base}/console/login`, { method: 'POST', body: new URLSearchParams({ username: 'pmo', password: 'worker-password-1' }), redirect: 'manual' })
    expect(login.status).toBe(303)
    const inbox = await fetch(`${base}/console/cases`, { headers: { cookie: cookie! } })
    expect(inbox.status).toBe(200)
    expect(await inbox.text()).toContain('工作者 PMO')
    expect((await fetch(`${base}/console/cases`, { redirect: 'manual' })).status).toBe(302)
  })

  it('runs the cron drain (scheduled handler) without errors', async () => {
    const res = await fetch(`${base}/cdn-cgi/handler/scheduled`)
    expect(res.status).toBe(200)
    await new Promise((r) => setTimeout(r, 300))
    expect(output).not.toMatch(/inbox drain failed|Uncaught|exception/i)
  })
})
