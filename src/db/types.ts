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

/** camelCase to snake_case, as a column's name in src/db/schema.ts maps to its name in SQL. */
type Snake<S extends string> = S extends `${infer C}${infer Rest}` ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${Snake<Rest>}` : S

/**
 * A raw `db.execute()` row of some of a table's columns, typed from the schema:
 * `RawRow<Pick<typeof cases.$inferSelect, 'id' | 'dueAt'>>` is `{ id: number; due_at: string | null }`.
 * Names are snake_case as SQL returns them; timestamps are the strings Postgres sent (only drizzle's
 * query builder turns them into Dates); bigints are numbers and jsonb is parsed, on both engines.
 */
export type RawRow<T> = { [K in keyof T & string as Snake<K>]: Exclude<T[K], Date> | (Date extends T[K] ? string : never) }

/**
 * Settings every connection gets: a wider HNSW search than pgvector's default (better recall for
 * top-50 candidates) and, with filters, scanning on in distance order until enough rows pass.
 */
export const SESSION_SETTINGS = 'SET hnsw.ef_search = 200; SET hnsw.iterative_scan = strict_order'
