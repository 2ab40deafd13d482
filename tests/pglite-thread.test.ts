import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openPglite } from '../src/db/pglite.js'
import { rowsOf, type Database } from '../src/db/types.js'

// The embedded database runs in its own thread (src/db/pglite-thread.mjs); these check that the app
// still gets PGlite's behaviour through drizzle: results, Postgres errors, transactions, isolation.
describe('embedded database thread', () => {
  let database: Database

  beforeEach(async () => {
    database = await openPglite('memory://')
    await database.db.execute(sql`CREATE TABLE t (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), doc jsonb)`)
  })
  afterEach(async () => {
    await database.close()
  })

  const ids = async () => rowsOf<{ id: number }>(await database.db.execute(sql`SELECT id FROM t ORDER BY id`)).map((r) => r.id)

  it('returns rows with drizzle\'s types: json as objects, timestamps as Postgres\' text', async () => {
    await database.db.execute(sql`INSERT INTO t (id, doc) VALUES (1, ${JSON.stringify({ a: ['é', 2] })}::jsonb)`)
    const [row] = rowsOf<{ id: number; at: unknown; doc: unknown }>(await database.db.execute(sql`SELECT id, at, doc FROM t`))
    expect(row!.id).toBe(1)
    expect(row!.doc).toEqual({ a: ['é', 2] })
    expect(typeof row!.at).toBe('string')
  })

  it('passes Postgres errors on with their code and constraint', async () => {
    await database.db.execute(sql`INSERT INTO t (id) VALUES (1)`)
    const error = await database.db.execute(sql`INSERT INTO t (id) VALUES (1)`).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: Record<string, unknown> },
    )
    expect(error).toBeInstanceOf(Error)
    const pgError = (error!.cause ?? error) as Record<string, unknown>
    expect(pgError.code).toBe('23505')
    expect(pgError.constraint).toBe('t_pkey')
    expect(String(pgError.message)).toContain('duplicate key')
  })

  it('commits a transaction that succeeds and rolls back one that throws, keeping the first error', async () => {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO t (id) VALUES (1)`)
      await tx.execute(sql`INSERT INTO t (id) VALUES (2)`)
    })
    const failed = database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO t (id) VALUES (3)`)
      throw new Error('changed my mind')
    })
    await expect(failed).rejects.toThrow('changed my mind')
    const rolledBack = database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO t (id) VALUES (4)`)
      tx.rollback()
    })
    await expect(rolledBack).rejects.toThrow()
    expect(await ids()).toEqual([1, 2])
  })

  it('runs nested transactions as savepoints', async () => {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO t (id) VALUES (1)`)
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`INSERT INTO t (id) VALUES (2)`)
          throw new Error('inner fails')
        })
        .catch(() => {})
      await tx.execute(sql`INSERT INTO t (id) VALUES (3)`)
    })
    expect(await ids()).toEqual([1, 3])
  })

  it('keeps a statement from outside an open transaction out of it until the transaction ends', async () => {
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    const tx = database.db.transaction(async (t) => {
      await t.execute(sql`INSERT INTO t (id) VALUES (1)`)
      await held
      await t.execute(sql`INSERT INTO t (id) VALUES (2)`)
      throw new Error('roll back')
    })
    // Sent while the transaction is open: it must neither see row 1 nor become part of the transaction.
    const outside = database.db.execute(sql`INSERT INTO t (id) VALUES (10)`)
    await new Promise((r) => setTimeout(r, 50))
    release()
    await expect(tx).rejects.toThrow('roll back')
    await outside
    expect(await ids()).toEqual([10])
  })

  it('leaves this thread free while a query runs (webhooks are acknowledged meanwhile)', async () => {
    let turns = 0
    let running = true
    const spin = () => {
      if (!running) return
      turns++
      setImmediate(spin)
    }
    spin()
    await database.db.execute(sql`SELECT pg_sleep(0.3)`)
    running = false
    // On this thread the query would have run as one task: no turn of the event loop until it ended.
    expect(turns).toBeGreaterThan(20)
  })

  it('rejects queries after close instead of hanging', async () => {
    await database.close()
    const error = await database.db.execute(sql`SELECT 1`).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: Error },
    )
    expect(String((error?.cause ?? error)?.message)).toMatch(/embedded database thread stopped/)
    database = await openPglite('memory://') // for afterEach
  })
})

describe('opening the embedded database', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pglite-open-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps its data across a close and reopen of the folder', async () => {
    const first = await openPglite(join(dir, 'data'))
    await first.db.execute(sql`CREATE TABLE kept (v text)`)
    await first.db.execute(sql`INSERT INTO kept VALUES ('still here')`)
    await first.close()
    const second = await openPglite(join(dir, 'data'))
    try {
      expect(rowsOf<{ v: string }>(await second.db.execute(sql`SELECT v FROM kept`))).toEqual([{ v: 'still here' }])
    } finally {
      await second.close()
    }
  })

  it('fails with a clear message naming the folder when it cannot be used', async () => {
    const file = join(dir, 'not-a-folder')
    await writeFile(file, 'x')
    await expect(openPglite(file)).rejects.toThrow(`Could not open the embedded database in ${file}`)
  })
})
