// `npm start` runs the compiled bot (npm run build → dist/). These tests build it as a fresh clone
// would and use what came out: the server answering a user, and the upload converter's child process
// (a plain .mjs entry that must be copied next to the compiled files).
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { docxBomb } from './helpers/zip-bomb.js'
import { waitFor } from './helpers/harness.js'
import { freePort, startBuiltBot, stopBuiltBot, untilReady, type BuiltBot } from '../scripts/built-bot.js'

const run = promisify(execFile)

describe('the production build', () => {
  let bot: BuiltBot | undefined
  let dataDir = ''

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { timeout: 120_000 })
    dataDir = await mkdtemp(join(tmpdir(), 'build-test-'))
  }, 150_000)

  afterAll(async () => {
    if (bot) await stopBuiltBot(bot, 'SIGKILL')
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
  })

  it('starts as compiled JavaScript on the embedded default and answers a user', async () => {
    // No LINE settings: the simulator with its built-in fake LINE API, as after `npm install && npm start`.
    bot = startBuiltBot(await freePort(), { DATA_DIR: dataDir })
    const url = bot.url
    await untilReady(bot, 90_000)
    const sent = await fetch(`${url}/simulator/api/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'Ubuilt', kind: 'text', text: '選單' }) })
    expect(sent.status).toBe(200)
    const deliveries = await waitFor(async () => {
      const body = (await (await fetch(`${url}/simulator/api/messages?chatId=Ubuilt`)).json()) as { deliveries: { messages: { type: string }[] }[] }
      return body.deliveries.length > 0 && body.deliveries
    }, 'a reply from the built bot', 30_000)
    expect(deliveries[0]!.messages.length).toBeGreaterThan(0)
  }, 150_000)

  it('converts an uploaded Word file in the compiled converter process', async () => {
    const { convertInProcess } = (await import(join(process.cwd(), 'dist/pmo/convert-isolated.js'))) as typeof import('../src/pmo/convert-isolated.js')
    const converted = await convertInProcess('guide.docx', await docxBomb(0))
    expect(converted.markdown).toContain('示範文件')
  }, 60_000)
})
