// The production bot (npm start's compiled entry, dist/node.js) as a child process, for the benches
// and the build test: a free port, the bot on it with a fake LINE API's address, readiness, stopping.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits until `probe` gives something truthy, polling every 50 ms. */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

export interface BuiltBot {
  child: ChildProcess
  url: string
}

/**
 * Starts `node dist/node.js` (build it first) on `port` with only PATH and `env` set — the
 * environment a deployment gives it — logging errors only, stderr passed through.
 */
export function startBuiltBot(port: number, env: Record<string, string>): BuiltBot {
  const child = spawn(process.execPath, ['dist/node.js'], {
    env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return { child, url: `http://127.0.0.1:${port}` }
}

/** Resolves once /readyz answers 200. */
export async function untilReady(bot: BuiltBot, timeoutMs = 120_000): Promise<void> {
  await until(async () => (await fetch(`${bot.url}/readyz`).catch(() => undefined))?.ok, 'the bot to be ready', timeoutMs)
}

/** Stops the bot with `signal` and waits for it to exit. */
export async function stopBuiltBot(bot: BuiltBot, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (bot.child.exitCode !== null || bot.child.signalCode !== null) return
  const exited = new Promise((r) => bot.child.once('exit', r))
  bot.child.kill(signal)
  await exited
}
