// npm run bench:upload — hostile uploads, measured: the production bot (dist/node.js, built first) runs
// as a child process on PGlite in a fresh data folder (BENCH_DATABASE_URL for a Postgres server). A PMO
// account signs in and uploads Word files built to exhaust the converter, while this process sends
// signed webhooks at a steady rate; it prints how long each upload took to be refused, with what
// message, and the webhook acknowledgement latency during it next to an idle baseline.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { FakeLineApi } from '../src/simulator/fake-line.js'
import { textEvent, webhookBody } from '../src/simulator/events.js'
import { signBody } from '../src/line/signature.js'
import { docxBomb } from '../tests/helpers/zip-bomb.js'
import { freePort, sleep, startBuiltBot, stopBuiltBot, untilReady } from './built-bot.js'

const SECRET = 'bench-upload-secret'
const TOKEN = 'bench-upload-token'
const ADMIN_TOKEN = 'bench-upload-admin-token-0123'
const RATE = 100 // webhooks per second during each phase

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
const fake = new FakeLineApi(TOKEN)
const linePort = await freePort()
const lineServer = serve({ fetch: fake.app.fetch, port: linePort, hostname: '127.0.0.1' })
const port = await freePort()
const dataDir = await mkdtemp(join(tmpdir(), 'bench-upload-'))
const bot = startBuiltBot(port, {
  LINE_CHANNEL_SECRET: SECRET,
  LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
  LINE_API_BASE_URL: `http://127.0.0.1:${linePort}`,
  ADMIN_TOKEN,
  ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : { DATA_DIR: dataDir }),
})
const url = bot.url

/** Webhooks at RATE per second (open loop: one is sent every 1000/RATE ms whether or not the last was answered). */
function webhookLoad(): { stop(): Promise<{ latencies: number[]; failed: number }> } {
  const latencies: number[] = []
  let failed = 0
  let n = 0
  const inFlight = new Set<Promise<void>>()
  const timer = setInterval(() => {
    const userId = `Uupload${String(n++ % 100).padStart(4, '0')}`
    const body = webhookBody([textEvent({ userId }, '選單', fake.issueReplyToken(userId, 3_600_000))])
    const started = performance.now()
    const p = fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(SECRET, body) }, body })
      .then(async (res) => {
        await res.arrayBuffer()
        if (res.status === 200) latencies.push(performance.now() - started)
        else failed++
      })
      .catch(() => void failed++)
      .finally(() => inFlight.delete(p))
    inFlight.add(p)
  }, 1000 / RATE)
  return {
    async stop() {
      clearInterval(timer)
      await Promise.all(inFlight)
      return { latencies, failed }
    },
  }
}

let cookie = ''
async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (cookie) headers.set('cookie', cookie)
  const res = await fetch(url + path, { ...init, headers, redirect: 'manual' })
  const set = res.headers.get('set-cookie')
  if (set?.startsWith('dx_session=')) cookie = set.split(';')[0]!
  return res
}

try {
  await untilReady(bot)
  await sleep(8_000) // the start-up knowledge sync
  const setup = await request('/console/setup', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ adminToken: ADMIN_TOKEN, username: 'pmo', displayName: 'PMO', password: 'bench upload password' }).toString(),
  })
  if (setup.status !== 303 || !cookie) throw new Error(`PMO setup answered ${setup.status}`)

  console.log(`bench:upload — the built bot (${process.env.BENCH_DATABASE_URL ? 'Postgres server' : 'PGlite'}) in a child process; webhooks at ${RATE}/s from this process\n`)
  const row = (label: string, r: { latencies: number[]; failed: number }, extra = '') =>
    console.log(`${label.padEnd(34)} acks ${String(r.latencies.length).padStart(4)} ok ${String(r.failed).padStart(2)} failed   p50 ${quantile(r.latencies, 0.5).toFixed(1).padStart(5)} ms  p99 ${quantile(r.latencies, 0.99).toFixed(1).padStart(5)} ms  max ${Math.max(...r.latencies).toFixed(1).padStart(6)} ms${extra}`)

  const idle = webhookLoad()
  await sleep(3_000)
  row('idle (3 s, no upload)', await idle.stop())

  const cases: [string, () => Promise<Uint8Array<ArrayBuffer>>][] = [
    ['zip bomb, unzips to 100 MB', () => docxBomb(100)],
    ['zip bomb, unzips to 300 MB', () => docxBomb(300)],
    ['zip bomb whose headers lie (100 MB)', () => docxBomb(100, { lie: true })],
    ['Word file of 850,000 paragraphs', () => docxBomb(0, { paragraphs: 850_000 })],
  ]
  const results: { label: string; seconds: number; p99: number }[] = []
  for (const [label, build] of cases) {
    const bytes = await build()
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await request('/console/kb')).text())?.[1]
    if (!csrf) throw new Error('no CSRF token on /console/kb')
    const form = new FormData()
    form.set('_csrf', csrf)
    form.set('file', new Blob([bytes]), 'bench.docx')
    const load = webhookLoad()
    await sleep(500)
    const started = performance.now()
    const res = await request('/console/kb/upload', { method: 'POST', body: form })
    const seconds = (performance.now() - started) / 1000
    await res.arrayBuffer()
    await sleep(500)
    const r = await load.stop()
    const message = decodeURIComponent(res.headers.get('location') ?? '').replace(/^.*err=/, '')
    row(label, r)
    console.log(`${''.padEnd(34)} ${(bytes.length / 1024).toFixed(0)} KB uploaded, answered in ${seconds.toFixed(2)} s (${res.status}): ${message.slice(0, 90)}`)
    results.push({ label, seconds, p99: quantile(r.latencies, 0.99) })
  }
  const bombs = results.slice(0, 3)
  console.log('\ntargets')
  console.log(`  [${bombs.every((b) => b.seconds < 2) ? 'PASS' : 'FAIL'}] zip bombs refused within 2 s: ${bombs.map((b) => `${b.seconds.toFixed(2)} s`).join(', ')}`)
  console.log(`  [${results.every((b) => b.p99 < 50) ? 'PASS' : 'FAIL'}] acks p99 < 50 ms during every upload: ${results.map((b) => `${b.p99.toFixed(1)} ms`).join(', ')}`)
} finally {
  await stopBuiltBot(bot)
  lineServer.close()
  await rm(dataDir, { recursive: true, force: true })
}
process.exit(0)
