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
  const db = drizzle(client, { schema }) as unknown as Db
  return { db, engine: 'pglite', close: () => client.close() }
}
