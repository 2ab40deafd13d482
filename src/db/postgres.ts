import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import * as schema from './schema.js'
import { SESSION_SETTINGS, type Database, type Db } from './types.js'

/** A Postgres server through a connection pool (Node and Workers). */
export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 })
  // An idle client's network error must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  // Session settings for every new connection (the hnsw.* ones need pgvector, loaded by the first migration).
  pool.on('connect', (client) => {
    client.query(SESSION_SETTINGS).catch(() => {})
  })
  const db = drizzle(pool, { schema }) as unknown as Db
  return { db, engine: 'postgres', close: () => pool.end() }
}
