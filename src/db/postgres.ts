import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import * as schema from './schema.js'
import { SESSION_SETTINGS, type Database, type Db } from './types.js'

/**
 * Raw rows come back as PGlite gives them: bigint (ids, counts) as a number, not node-postgres's
 * string, so callers never parse them. Our bigints are ids and counts, far below 2^53.
 */
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

/** A Postgres server through a connection pool (Node and Workers). */
export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // Session settings for every new connection, applied before the pool hands it out (a 'connect'
    // listener's query raced the caller's first query on the same client). A failure is not fatal:
    // the settings only widen vector search.
    onConnect: async (client) => {
      await client.query(SESSION_SETTINGS).catch(() => {})
    },
  })
  // An idle client's network error must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  const db = drizzle(pool, { schema }) as unknown as Db
  return { db, engine: 'postgres', close: () => pool.end() }
}
