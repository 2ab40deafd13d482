import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { lockDataDir } from './data-dir-lock.js'

/** A backup or restore that cannot be done; the message says why and what to do. */
export class BackupError extends Error {
  override name = 'BackupError'
}

export interface BackupSummary {
  file: string
  bytes: number
  migrations: number
  conversations: number
}

const exists = (path: string) => stat(path).then(() => true, () => false)

async function summarise(db: PGlite): Promise<{ migrations: number; conversations: number }> {
  const count = async (table: string) => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0)
  return { migrations: await count('schema_migrations'), conversations: await count('conversations') }
}

/**
 * Writes the embedded database in `dataDir` to `file` (PGlite's gzipped data-folder archive). The bot
 * must be stopped: the folder's lock refuses while it runs. The archive is written next to `file`
 * first and renamed, so an interrupted backup never leaves a partial file under the final name.
 */
export async function backupDataDir(dataDir: string, file: string): Promise<BackupSummary> {
  if (!(await exists(join(dataDir, 'PG_VERSION')))) throw new BackupError(`No embedded database in ${resolve(dataDir)} (DATA_DIR): nothing to back up.`)
  const unlock = await lockDataDir(dataDir)
  try {
    const db = await PGlite.create(dataDir, { extensions: { vector } })
    try {
      const summary = await summarise(db)
      const archive = await db.dumpDataDir('gzip')
      const bytes = new Uint8Array(await archive.arrayBuffer())
      await mkdir(dirname(resolve(file)), { recursive: true })
      const partial = `${file}.partial`
      await writeFile(partial, bytes)
      await rename(partial, file)
      return { file: resolve(file), bytes: bytes.length, ...summary }
    } finally {
      await db.close()
    }
  } finally {
    await unlock()
  }
}

/**
 * Makes `dataDir` the database in backup `file`. The archive is loaded and checked in a new folder
 * first; only then is the current folder moved aside (to `<dataDir>.before-restore-<time>`, never
 * deleted) and the new one put in its place. A file that is not a backup of this bot changes nothing.
 */
export async function restoreDataDir(dataDir: string, file: string, now = new Date()): Promise<BackupSummary & { previous: string | undefined }> {
  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new BackupError(`Cannot read the backup ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`)
  })
  const current = resolve(dataDir)
  const hasCurrent = (await exists(current)) && (await readdir(current)).length > 0
  // Refuses now if the bot is running on this folder.
  const unlock = hasCurrent ? await lockDataDir(current) : async () => {}
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')
  const incoming = `${current}.restoring-${stamp}`
  try {
    let summary: { migrations: number; conversations: number }
    try {
      const db = await PGlite.create(incoming, { loadDataDir: new Blob([bytes]), extensions: { vector } })
      try {
        summary = await summarise(db)
      } finally {
        await db.close()
      }
    } catch (error) {
      await rm(incoming, { recursive: true, force: true })
      throw new BackupError(`${file} is not a backup of this bot's embedded database (${(error as Error).message}); nothing was changed.`)
    }
    // The backup was taken under the lock of a process that is gone.
    await rm(join(incoming, '.in-use'), { force: true })
    const previous = hasCurrent ? `${current}.before-restore-${stamp}` : undefined
    if (previous) await rename(current, previous)
    await rename(incoming, current)
    if (previous) await rm(join(previous, '.in-use'), { force: true })
    return { file: resolve(file), bytes: bytes.length, previous, ...summary }
  } finally {
    if (hasCurrent) await unlock().catch(() => {})
  }
}
