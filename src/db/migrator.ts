import { sql } from 'drizzle-orm'
import type { Db } from './types.js'
import { rowsOf } from './types.js'

export interface Migration {
  tag: string
  sql: string
}

export class MigrationError extends Error {
  override name = 'MigrationError'
}

const VECTOR_HELP =
  'The database has no pgvector extension. Install it on the server (Debian/Ubuntu: the postgresql-<version>-pgvector package, ' +
  'or `scripts/pg-server.sh ensure-pgvector` here) or enable it in your managed Postgres (e.g. allow the "vector" extension), ' +
  'then restart.'

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction.
 * An advisory lock makes concurrent starts of several instances safe. Idempotent.
 */
export async function migrate(db: Db, migrations: Migration[]): Promise<string[]> {
  await db.execute(sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    tag text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`)
  const applied: string[] = []
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(727274)`)
      const seen = rowsOf(await tx.execute(sql`SELECT 1 FROM schema_migrations WHERE tag = ${m.tag}`))
      if (seen.length > 0) return false
      for (const statement of m.sql.split('--> statement-breakpoint')) {
        if (statement.trim() === '') continue
        try {
          await tx.execute(sql.raw(statement))
        } catch (error) {
          if (/extension "vector"|vector\.control/i.test(String((error as Error).message))) {
            throw new MigrationError(VECTOR_HELP)
          }
          throw new MigrationError(`Migration ${m.tag} failed: ${(error as Error).message}`)
        }
      }
      await tx.execute(sql`INSERT INTO schema_migrations (tag) VALUES (${m.tag})`)
      return true
    })
    if (done) applied.push(m.tag)
  }
  return applied
}

/** The migrations not yet applied; empty when the schema is current (used by /readyz). */
export async function pendingMigrations(db: Db, migrations: Migration[]): Promise<string[]> {
  const exists = rowsOf<{ t: string | null }>(await db.execute(sql`SELECT to_regclass('schema_migrations')::text AS t`))
  if (!exists[0]?.t) return migrations.map((m) => m.tag)
  const rows = rowsOf<{ tag: string }>(await db.execute(sql`SELECT tag FROM schema_migrations`))
  const applied = new Set(rows.map((r) => r.tag))
  return migrations.filter((m) => !applied.has(m.tag)).map((m) => m.tag)
}
