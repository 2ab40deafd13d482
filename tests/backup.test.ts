// npm run db:backup / db:restore, run as an operator would, on a bot's embedded database.
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { textEvent } from '../src/simulator/events.js'
import { startBot, startFakeLine, waitFor, type FakeLineServer } from './helpers/harness.js'

function npmRun(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', script, '--', ...args], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout + stderr }),
    )
  })
}

describe('backing up and restoring the embedded database', () => {
  let line: FakeLineServer
  let root = ''

  beforeAll(async () => {
    line = await startFakeLine()
    root = await mkdtemp(join(tmpdir(), 'backup-test-'))
  })
  afterAll(async () => {
    await line?.close()
    if (root) await rm(root, { recursive: true, force: true })
  })

  /** Runs the bot on the folder, lets `user` say something and get the reply, then stops it. */
  async function converse(dataDir: string, user: string, whileRunning?: () => Promise<void>): Promise<void> {
    const bot = await startBot({ engine: 'pglite', lineUrl: line.url, database: dataDir })
    try {
      await bot.send([textEvent({ userId: user }, '選單', line.fake.issueReplyToken(user))])
      await waitFor(() => line.fake.deliveriesFor(user).length === 1, `reply to ${user}`)
      await whileRunning?.()
    } finally {
      await bot.close()
    }
  }

  async function users(dataDir: string): Promise<string[]> {
    const bot = await startBot({ engine: 'pglite', lineUrl: line.url, database: dataDir, worker: false })
    try {
      return rowsOf<{ id: string }>(await bot.database.db.execute(sql`SELECT id FROM users ORDER BY id`)).map((r) => r.id)
    } finally {
      await bot.close()
    }
  }

  it('backs up a stopped bot and restores that state, keeping the database it replaces; refuses while the bot runs and changes nothing on a bad file', async () => {
    const dataDir = join(root, 'data')
    const env = { DATA_DIR: dataDir }
    const archive = join(root, 'backups', 'first.tar.gz')
    await converse(dataDir, 'Ubackupbefore', async () => {
      const refused = await npmRun('db:backup', [archive], env)
      expect(refused.code).not.toBe(0)
      expect(refused.out).toMatch(/in use by process \d+; stop it first/)
    })
    const backedUp = await npmRun('db:backup', [archive], env)
    expect(backedUp.out).toContain('Backed up')
    expect(backedUp.code).toBe(0)
    expect((await stat(archive)).size).toBeGreaterThan(0)

    await converse(dataDir, 'Ubackupafter')
    expect(await users(dataDir)).toEqual(['Ubackupafter', 'Ubackupbefore'])

    const notABackup = join(root, 'not-a-backup.tar.gz')
    await writeFile(notABackup, gzipSync('just some text'))
    const bad = await npmRun('db:restore', [notABackup], env)
    expect(bad.code).not.toBe(0)
    expect(bad.out).toContain('nothing was changed')
    expect(await users(dataDir)).toEqual(['Ubackupafter', 'Ubackupbefore'])

    const restored = await npmRun('db:restore', [archive], env)
    expect(restored.code).toBe(0)
    expect(await users(dataDir)).toEqual(['Ubackupbefore'])
    const kept = (await readdir(root)).filter((name) => name.startsWith('data.before-restore-'))
    expect(kept).toHaveLength(1)
    expect(await users(join(root, kept[0]!))).toEqual(['Ubackupafter', 'Ubackupbefore'])
    // The restored bot answers.
    await converse(dataDir, 'Ubackuprestored')
  }, 180_000)

  it('points a Postgres deployment at pg_dump', async () => {
    const result = await npmRun('db:backup', [], { DATABASE_URL: 'postgres://u@127.0.0.1:1/x' })
    expect(result.code).not.toBe(0)
    expect(result.out).toContain('pg_dump')
  })
})
