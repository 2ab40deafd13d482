// npm run bench:answer — end-to-end latency in offline mode, from the webhook POST to the reply
// call reaching the (fake) LINE API, for programme questions over the real knowledge base; the
// menu reply (no retrieval) is the baseline measured in the same run.
import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { loadConfig } from '../src/config.js'
import { silentLogger } from '../src/log.js'
import { startServer } from '../src/server.js'
import { FakeLineApi } from '../src/simulator/fake-line.js'
import { postWebhook, textEvent } from '../src/simulator/events.js'
import { parseEvalFile } from '../src/knowledge/eval.js'
import { KNOWLEDGE_DIR } from '../src/knowledge/setup.js'

const SECRET = 'bench-secret'
const TOKEN = 'bench-token'
const fake = new FakeLineApi(TOKEN)
const lineServer = await new Promise<{ port: number }>((resolve) => serve({ fetch: fake.app.fetch, port: 0, hostname: '127.0.0.1' }, (i) => resolve({ port: i.port })))
const config = loadConfig({ PORT: '0', DATA_DIR: await mkdtemp(join(tmpdir(), 'bench-answer-')), LINE_CHANNEL_SECRET: SECRET, LINE_CHANNEL_ACCESS_TOKEN: TOKEN, LINE_API_BASE_URL: `http://127.0.0.1:${lineServer.port}` })
const bot = await startServer(config, { hostname: '127.0.0.1', log: silentLogger, pollMs: 1000 })
await bot.knowledgeReady

const dev = join(KNOWLEDGE_DIR, '..', '..', 'shared', 'eval', 'dev.jsonl')
const questions = existsSync(dev)
  ? parseEvalFile(await readFile(dev, 'utf8'), dev).map((q) => q.question)
  : ['雲市集數位點數最多補助多少？', '即時技術輔導要準備哪些文件？', '供應鏈AI計畫的申請資格？']

async function measure(texts: string[], rounds: number): Promise<number[]> {
  const times: number[] = []
  let n = 0
  for (let r = 0; r < rounds; r++) {
    for (const text of texts) {
      const user = `Ubench${n++}`
      const started = performance.now()
      await postWebhook(`${bot.url}/webhook`, SECRET, [textEvent({ userId: user }, text, fake.issueReplyToken(user))])
      while (fake.deliveriesFor(user).length === 0) await new Promise((r) => setImmediate(r))
      times.push(performance.now() - started)
    }
  }
  return times
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
await measure(questions.slice(0, 5), 1) // warm-up
const baseline = await measure(['選單'], 60)
const answers = await measure(questions, 3)
await bot.close()

const row = (label: string, xs: number[]) => console.log(`${label.padEnd(28)} n=${String(xs.length).padStart(4)}  p50 ${pct(xs, 0.5).toFixed(1).padStart(6)} ms  p95 ${pct(xs, 0.95).toFixed(1).padStart(6)} ms  max ${Math.max(...xs).toFixed(1).padStart(6)} ms`)
console.log('\nwebhook POST → reply received by the LINE API (offline mode, PGlite, real knowledge base)')
row('menu reply (baseline)', baseline)
row('programme question', answers)
console.log(`answer p95 target < 300 ms: ${pct(answers, 0.95) < 300 ? 'PASS' : 'FAIL'}; answer/baseline p50 ratio ${(pct(answers, 0.5) / pct(baseline, 0.5)).toFixed(1)}×`)
process.exit(0)
