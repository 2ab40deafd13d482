import { open, readFile, rm } from 'node:fs/promises'
import { resolve } from 'node:path'

/** The embedded database's folder is in use by another live process. */
export class DataDirInUse extends Error {
  override name = 'DataDirInUse'
}

const LOCK_FILE = '.in-use'
/** Folders this process holds (a lock naming our own pid but not listed here is a previous run's). */
const held = new Set<string>()

/**
 * Claims the embedded database's folder for this process. PGlite has no locking of its own, and two
 * processes writing one folder corrupt it: a second bot, or a backup or restore while the bot runs,
 * is refused, naming the process. A lock left by a process that is gone (kill -9, a crash, a
 * container restarted with the same pid) is taken over. Resolves to the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = resolve(dataDir, LOCK_FILE)
  if (held.has(path)) throw new DataDirInUse(`The embedded database in ${dataDir} is already open in this process.`)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(path, 'wx')
      await file.writeFile(String(process.pid))
      await file.close()
      held.add(path)
      return async () => {
        held.delete(path)
        await rm(path, { force: true })
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim())
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new DataDirInUse(`The embedded database in ${dataDir} is in use by process ${holder}; stop it first (two processes would corrupt it).`)
      }
      await rm(path, { force: true })
    }
  }
  throw new DataDirInUse(`Could not claim the embedded database in ${dataDir}.`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
