import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { drizzle } from 'drizzle-orm/pglite'
import * as schema from './schema.js'
import { SESSION_SETTINGS, type Database, type Db } from './types.js'

/** Embedded Postgres (WASM) in a data folder; `memory://` for a throwaway one. Node only. */
export async function openPglite(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true })
  // pgvector must be loaded on every open, not only when the extension is created.
  const client = await PGlite.create(dataDir, { extensions: { vector } })
  await client.exec(SESSION_SETTINGS)
  yieldBeforeQueries(client)
  const db = drizzle(client, { schema }) as unknown as Db
  return { db, engine: 'pglite', close: () => client.close() }
}

/**
 * PGlite runs each query synchronously on this thread and its promise is already settled, so a chain
 * of queries (a whole answered question: ~100 ms) would run as one uninterrupted task, and webhook
 * acknowledgements arriving meanwhile would wait for all of it. Each query outside a transaction
 * first gives the event loop a turn, so waiting I/O is handled between queries. (Queries inside a
 * transaction do not yield: the transaction holds PGlite's only connection until it ends.)
 */
function yieldBeforeQueries(client: PGlite): void {
  const query = client.query.bind(client)
  const exec = client.exec.bind(client)
  client.query = (async (...args: Parameters<typeof query>) => {
    await turn()
    const result = await query(...args)
    await turn()
    return result
  }) as typeof client.query
  client.exec = (async (...args: Parameters<typeof exec>) => {
    await turn()
    const result = await exec(...args)
    await turn()
    return result
  }) as typeof client.exec
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))
