import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { z } from 'zod'
import type { Migration } from './migrator.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url))

const journalSchema = z.object({ entries: z.array(z.object({ idx: z.number(), tag: z.string() })) })

/** Reads drizzle-kit's journal and SQL files (Node only; Workers use a migrated database). */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const journal = journalSchema.parse(JSON.parse(await readFile(join(dir, 'meta', '_journal.json'), 'utf8')))
  const entries = [...journal.entries].sort((a, b) => a.idx - b.idx)
  return Promise.all(entries.map(async (e) => ({ tag: e.tag, sql: await readFile(join(dir, `${e.tag}.sql`), 'utf8') })))
}
