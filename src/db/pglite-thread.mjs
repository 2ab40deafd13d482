// The embedded database's own thread: PGlite (Postgres compiled to WASM) runs every query
// synchronously on the thread that calls it, so on the app's thread each query stopped HTTP work
// (webhook acknowledgements) for its whole duration. Here it runs beside the app; src/db/pglite.ts is
// the other end. Plain JavaScript, so that Node loads it as it is under tsx, vitest and a build alike.
//
// Requests (app → here): { id, op: 'query', sql, params, rowMode, tx? } | { id, op: 'exec', sql, tx? }
//   | { id, op: 'begin', tx } | { id, op: 'end', tx, commit } | { id, op: 'close' }
// Answers: { id, ok: true, result } | { id, ok: false, error: { message, name, ...fields } }
// The first message is { ready: true } or { ready: false, error }.
import { parentPort, workerData } from 'node:worker_threads'
import { mkdir } from 'node:fs/promises'
import { PGlite, types } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort)
const { dataDir, sessionSettings, pgliteWasmModule, initdbWasmModule } = workerData

// drizzle's pglite driver passes these with every query: dates, timestamps and intervals stay the
// strings Postgres sent (drizzle's column types parse them). Functions cannot cross threads, so they
// are set here, once for the database: PGlite merges per-query parsers into its full table of a few
// hundred types on every query, which cost more than a simple statement itself.
const keep = (/** @type {string} */ value) => value
const parsers = Object.fromEntries(
  [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182].map((oid) => [oid, keep]),
)

/** An error as plain data: the message plus Postgres' fields (code, detail, constraint, …). */
function plain(error) {
  if (!(error instanceof Error)) return { message: String(error), name: 'Error' }
  const out = { message: error.message, name: error.name }
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value
  }
  return out
}

const reply = (id, result) => port.postMessage({ id, ok: true, result })
const fail = (id, error) => port.postMessage({ id, ok: false, error: plain(error) })

/** Runs one statement on `target` (the database, or an open transaction). */
async function run(target, m) {
  if (m.op === 'exec') return (await target.exec(m.sql)).map(({ rows, fields, affectedRows }) => ({ rows, fields, affectedRows }))
  const { rows, fields, affectedRows } = await target.query(m.sql, m.params, m.rowMode ? { rowMode: m.rowMode } : undefined)
  return { rows, fields, affectedRows }
}

const ROLLBACK = Symbol('rollback')

/** Open transactions: their statements, in the order the app sent them. */
const transactions = new Map()

function begin(m, db) {
  /** @type {any[]} */
  const queue = []
  let wake = () => {}
  transactions.set(m.tx, { push: (next) => (queue.push(next), wake()) })
  let end
  db.transaction(async (tx) => {
    reply(m.id, null)
    for (;;) {
      while (queue.length === 0) await new Promise((resolve) => (wake = resolve))
      const next = queue.shift()
      if (next.op === 'end') {
        end = next
        if (!next.commit) throw ROLLBACK
        return
      }
      // A failed statement is the app's to handle (it usually ends the transaction with a rollback).
      await run(tx, next).then((result) => reply(next.id, result), (error) => fail(next.id, error))
    }
  }).then(
    () => reply(end.id, null),
    (error) => (error === ROLLBACK ? reply(end.id, null) : fail(end?.id ?? m.id, error)),
  ).finally(() => transactions.delete(m.tx))
}

let db
try {
  if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true })
  // pgvector must be loaded on every open, not only when the extension is created.
  db = await PGlite.create(dataDir, {
    extensions: { vector },
    parsers,
    pgliteWasmModule,
    initdbWasmModule,
    // Postgres' 128 MB of shared buffers lives in this thread's WASM memory, which never shrinks; the
    // knowledge base and the queues are a few MB, and the OS caches the files besides. 16 MB answered
    // a 2,000-event flood as fast and kept the process about 70 MB smaller (npm run bench:webhook).
    startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
  })
  await db.exec(sessionSettings)
  port.postMessage({ ready: true })
} catch (error) {
  port.postMessage({ ready: false, error: plain(error) })
  process.exit(1)
}

port.on('message', (m) => {
  if (m.tx !== undefined && m.op !== 'begin') {
    const open = transactions.get(m.tx)
    if (open) open.push(m)
    else fail(m.id, new Error('Transaction is closed'))
    return
  }
  if (m.op === 'begin') return begin(m, db)
  if (m.op === 'close') return void db.close().then(() => reply(m.id, null), (error) => fail(m.id, error))
  run(db, m).then((result) => reply(m.id, result), (error) => fail(m.id, error))
})
