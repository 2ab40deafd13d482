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
