// Starts upload conversions (src/pmo/convert-process.mjs), one short-lived process each, on behalf of
// the bot (src/pmo/convert-isolated.ts is the other end). Forking copies the forking process's page
// tables: from the bot (several hundred MB) that held its event loop 20-35 ms per upload, from this
// small process it is cheap. Each conversion gets the heap limit and time limit it was asked for and
// a low CPU priority (nice 10: webhooks first, yet a busy machine does not starve it past its time
// limit as nice 19 can). Plain JavaScript, so Node starts it as it is under tsx, vitest and a build.
//
// Requests (bot → here): { id, entry, module, fileName, bytes, timeoutMs, maxMemoryMb }
// Answers: { id, ok: true, converted } | { id, ok: false, kind: 'conversion' | 'oom' | 'timeout' | 'error', message }
import { fork } from 'node:child_process'
import { setPriority } from 'node:os'

process.on('message', (request) => {
  const { id, entry, module, fileName, bytes, timeoutMs, maxMemoryMb } = request
  const child = fork(entry, [], { execArgv: [`--max-old-space-size=${maxMemoryMb}`], serialization: 'advanced', stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  try {
    if (child.pid !== undefined) setPriority(child.pid, 10)
  } catch {
    // not permitted here: it runs at normal priority
  }
  let settled = false
  const answer = (message) => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    child.kill('SIGKILL')
    process.send?.({ id, ...message })
  }
  const timer = setTimeout(() => answer({ ok: false, kind: 'timeout', message: 'timeout' }), timeoutMs)
  child.once('message', (m) => answer(m.ok ? { ok: true, converted: m.converted } : { ok: false, kind: m.conversion ? 'conversion' : 'error', message: m.message }))
  child.once('error', (error) => answer({ ok: false, kind: 'error', message: error.message }))
  // V8 aborts (SIGABRT, or exit 134) when the heap limit is reached.
  child.once('exit', (code, signal) =>
    answer(signal === 'SIGABRT' || code === 134 ? { ok: false, kind: 'oom', message: 'heap limit' } : { ok: false, kind: 'error', message: `The conversion process stopped (exit code ${code}, signal ${signal}).` }),
  )
  child.send({ module, fileName, bytes })
})

// The bot is gone: so is this process.
process.on('disconnect', () => process.exit(0))
