import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import type * as schema from './schema.js'

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>

/** An open database, whichever engine backs it. */
export interface Database {
  db: Db
  engine: 'pglite' | 'postgres'
  close(): Promise<void>
}

/** Rows of a raw `db.execute()`; both drivers return `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows
}

/**
 * Settings every connection gets: a wider HNSW search than pgvector's default (better recall for
 * top-50 candidates) and, with filters, scanning on in distance order until enough rows pass.
 */
export const SESSION_SETTINGS = 'SET hnsw.ef_search = 200; SET hnsw.iterative_scan = strict_order'
