// npm run bench:recovery — crash recovery, measured: the real bot runs as a child process (npm start's
// compiled entry, dist/node.js, built first; PGlite in a fresh data folder; BENCH_DATABASE_URL for a
// Postgres server) against a fake LINE API in this process. A user's message is sent; the fake holds the bot's reply call (LINE has not
// accepted it), and the bot is killed with SIGKILL in the middle of that delivery. The bot is started
// again, and the script prints how long after the restart the user got the reply, and how many
// replies reached LINE (must be exactly 1).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { FakeLineApi } from '../src/simulator/fake-line.js'
import { postWebhook, textEvent } from '../src/simulator/events.js'
import { freePort, sleep, startBuiltBot, stopBuiltBot, until, untilReady } from './built-bot.js'

const SECRET = 'bench-recovery-secret'
const TOKEN = 'bench-recovery-token'
const USER = 'Urecovery0000000000000000000000'

// The fake LINE API, with a switch that holds message calls unanswered (the bot waits on LINE).
const fake = new FakeLineApi(TOKEN)
let holding = false
let held = 0
const front = new Hono()
front.use('/v2/bot/message/*', async (c, next) => {
  if (!holding) return next()
  held++
  await new Promise(() => {}) // never answered: the bot is killed while waiting
})
front.route('/', fake.app)
const linePort = await freePort()
const lineServer = serve({ fetch: front.fetch, port: linePort, hostname: '127.0.0.1' })

const dataDir = await mkdtemp(join(tmpdir(), 'bench-recovery-'))
const botPort = await freePort()
const env = {
  DATA_DIR: dataDir,
  LINE_CHANNEL_SECRET: SECRET,
  LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
  LINE_API_BASE_URL: `http://127.0.0.1:${linePort}`,
  ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
}
const startBot = () => startBuiltBot(botPort, env)

let bot = startBot()
const url = bot.url
try {
  await untilReady(bot)
  holding = true
  const sentAt = Date.now()
  const res = await postWebhook(`${url}/webhook`, SECRET, [textEvent({ userId: USER }, '選單', fake.issueReplyToken(USER, 5 * 60_000))])
  if (!res.ok) throw new Error(`webhook answered ${res.status}`)
  await until(() => held > 0, 'the reply call to reach LINE', 30_000)
  await stopBuiltBot(bot, 'SIGKILL')
  const killedAt = Date.now()
  holding = false

  bot = startBot()
  await untilReady(bot)
  const readyAt = Date.now()
  await until(() => fake.deliveriesFor(USER).length > 0, 'the reply after the restart', 180_000)
  const deliveredAt = Date.now()
  await sleep(3_000) // anything doubled would arrive by now
  const deliveries = fake.deliveriesFor(USER)
  console.log(`database: ${process.env.BENCH_DATABASE_URL ? 'Postgres server' : 'PGlite'}`)
  console.log(`message to reply call held at LINE: ${((killedAt - sentAt) / 1000).toFixed(1)} s, then SIGKILL`)
  console.log(`restart to ready: ${((readyAt - killedAt) / 1000).toFixed(1)} s`)
  console.log(`restart to the user's reply: ${((deliveredAt - killedAt) / 1000).toFixed(1)} s (ready to reply: ${((deliveredAt - readyAt) / 1000).toFixed(1)} s) via ${deliveries[0]?.via}`)
  console.log(`replies LINE accepted: ${deliveries.length} (must be 1)`)
  process.exitCode = deliveries.length === 1 ? 0 : 1
} finally {
  await stopBuiltBot(bot, 'SIGKILL')
  lineServer.close()
  await rm(dataDir, { recursive: true, force: true })
}
