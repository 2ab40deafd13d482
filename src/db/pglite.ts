import { mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { drizzle } from 'drizzle-orm/pglite'
import type { PGlite } from '@electric-sql/pglite'
import * as schema from './schema.js'
import { DataDirInUse, lockDataDir } from './data-dir-lock.js'
import { SESSION_SETTINGS, type Database, type Db } from './types.js'

/**
 * Embedded Postgres (PGlite, WASM) in a data folder; `memory://` for a throwaway one. Node only.
 *
 * PGlite runs each query synchronously on the thread that calls it, so it lives in a thread of its
 * own (src/db/pglite-thread.mjs): on this thread a query was time in which no webhook could be
 * acknowledged. drizzle talks to it through {@link PgliteThreadClient}, which has the part of
 * PGlite's interface drizzle's pglite driver uses (query, transaction).
 */
export async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://')
  let unlock = async () => {}
  if (!inMemory) {
    try {
      await mkdir(dataDir, { recursive: true })
      unlock = await lockDataDir(dataDir)
    } catch (error) {
      if (error instanceof DataDirInUse) throw error
      throw new Error(`Could not open the embedded database in ${dataDir}: ${(error as Error).message}`)
    }
  }
  let client: PgliteThreadClient
  try {
    client = await PgliteThreadClient.start(dataDir)
  } catch (error) {
    await unlock()
    throw error
  }
  const db = drizzle({ client: client as unknown as PGlite, schema }) as unknown as Db
  return {
    db,
    engine: 'pglite',
    close: async () => {
      await client.close()
      await unlock()
    },
  }
}

const compiled = new Map<string, Promise<WebAssembly.Module>>()

/**
 * PGlite's WASM, compiled once per process and shared with every database thread (a compiled module
 * can be posted to a worker): each thread compiling its own copy took about a second per open.
 * initdb's module only when the folder has no database yet (it costs memory and is used once).
 */
async function compiledModules(needInitdb: boolean): Promise<{ pgliteWasmModule: WebAssembly.Module; initdbWasmModule?: WebAssembly.Module }> {
  const dist = new URL('.', pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')))
  const compile = (file: string) => {
    if (!compiled.has(file)) compiled.set(file, readFile(new URL(file, dist)).then((bytes) => WebAssembly.compile(bytes)))
    return compiled.get(file)!
  }
  const [pgliteWasmModule, initdbWasmModule] = await Promise.all([compile('pglite.wasm'), needInitdb ? compile('initdb.wasm') : undefined])
  return initdbWasmModule ? { pgliteWasmModule, initdbWasmModule } : { pgliteWasmModule }
}

interface QueryOptions {
  rowMode?: 'array' | 'object'
}

interface QueryResult {
  rows: unknown[]
  fields: { name: string; dataTypeID: number }[]
  affectedRows?: number
}

type ThreadRequest =
  | { op: 'query'; sql: string; params: unknown[]; rowMode?: 'array' | 'object'; tx?: number }
  | { op: 'exec'; sql: string; tx?: number }
  | { op: 'begin'; tx: number }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' }

type Answer = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { message: string; name: string } & Record<string, unknown> }

/** An Error carrying Postgres' fields (code, detail, constraint, …) as PGlite's DatabaseError does. */
function revive(data: { message: string; name: string } & Record<string, unknown>): Error {
  const { message, name, ...fields } = data
  return Object.assign(new Error(message), fields, { name })
}

/** Statements for an open transaction go to the transaction, in order; see PGlite's `transaction`. */
interface Transaction {
  query(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult>
  exec(sql: string): Promise<QueryResult[]>
  rollback(): Promise<void>
  readonly closed: boolean
}

export class PgliteThreadClient {
  private nextId = 1
  private nextTx = 1
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private exited: Error | undefined

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: Answer) => {
      const w = this.waiting.get(m.id)
      if (!w) return
      this.waiting.delete(m.id)
      if (m.ok) w.resolve(m.result)
      else w.reject(revive(m.error))
    })
    const failAll = (error: Error) => {
      this.exited = error
      for (const w of this.waiting.values()) w.reject(error)
      this.waiting.clear()
    }
    worker.on('error', failAll)
    worker.on('exit', (code) => failAll(new Error(`The embedded database thread stopped (exit code ${code}).`)))
  }

  static async start(dataDir: string): Promise<PgliteThreadClient> {
    const exists = !dataDir.startsWith('memory://') && (await stat(join(dataDir, 'PG_VERSION')).then(() => true, () => false))
    const modules = await compiledModules(!exists)
    const worker = new Worker(new URL('./pglite-thread.mjs', import.meta.url), { workerData: { dataDir, sessionSettings: SESSION_SETTINGS, ...modules } })
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error)
      const onExit = (code: number) => reject(new Error(`Could not open the embedded database in ${dataDir}: its thread stopped (exit code ${code}).`))
      worker.once('error', onError)
      worker.once('exit', onExit)
      worker.once('message', (m: { ready: boolean; error?: { message: string; name: string } }) => {
        worker.off('error', onError)
        worker.off('exit', onExit)
        if (m.ready) resolve()
        else reject(revive({ ...m.error!, message: `Could not open the embedded database in ${dataDir}: ${m.error!.message}` }))
      })
    })
    return new PgliteThreadClient(worker)
  }

  private send<T>(request: ThreadRequest): Promise<T> {
    if (this.exited) return Promise.reject(this.exited)
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.worker.postMessage({ id, ...request })
    })
  }

  query(sql: string, params: unknown[] = [], options: QueryOptions = {}): Promise<QueryResult> {
    return this.send({ op: 'query', sql, params, rowMode: options.rowMode })
  }

  exec(sql: string): Promise<QueryResult[]> {
    return this.send({ op: 'exec', sql })
  }

  /** Like PGlite's: commits when `callback` resolves, rolls back when it throws (or calls rollback). */
  async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    const id = this.nextTx++
    await this.send({ op: 'begin', tx: id })
    let closed = false
    const open = () => {
      if (closed) throw new Error('Transaction is closed')
    }
    const tx: Transaction = {
      query: async (sql, params = [], options = {}) => (open(), this.send({ op: 'query', sql, params, rowMode: options.rowMode, tx: id })),
      exec: async (sql) => (open(), this.send({ op: 'exec', sql, tx: id })),
      rollback: async () => {
        open()
        closed = true
        await this.send({ op: 'end', tx: id, commit: false })
      },
      get closed() {
        return closed
      },
    }
    try {
      const result = await callback(tx)
      if (!closed) {
        closed = true
        await this.send({ op: 'end', tx: id, commit: true })
      }
      return result
    } catch (error) {
      if (!closed) {
        closed = true
        // The callback's error is the one to report, even if the thread is gone.
        await this.send({ op: 'end', tx: id, commit: false }).catch(() => {})
      }
      throw error
    }
  }

  async close(): Promise<void> {
    if (this.exited) return
    await this.send({ op: 'close' }).catch(() => {})
    await this.worker.terminate()
  }
}
