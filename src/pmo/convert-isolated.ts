import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ConversionError, convertUpload, precheckUpload, type Converted } from './convert.js'

/** Node only: upload conversion in a child process with a memory and time limit (see convert-process.mjs). */

export interface IsolationLimits {
  /** The process is killed after this long; a genuine 5 MB document converts in a few seconds. */
  timeoutMs: number
  /** V8 heap of the process (--max-old-space-size); past it only that process dies. */
  maxMemoryMb: number
}

export const DEFAULT_LIMITS: IsolationLimits = { timeoutMs: 15_000, maxMemoryMb: 512 }

// The converter as this build has it: convert.ts under tsx/vitest, convert.js after `npm run build`.
const converterUrl = new URL(`./convert${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href
const entry = fileURLToPath(new URL('./convert-process.mjs', import.meta.url))
const launcherEntry = fileURLToPath(new URL('./convert-launcher.mjs', import.meta.url))

type Answer = { id: number; ok: true; converted: Converted } | { id: number; ok: false; kind: 'conversion' | 'oom' | 'timeout' | 'error'; message: string }

/** The process that forks conversions (convert-launcher.mjs); started once, again if it dies. */
let launcher: ChildProcess | undefined
let nextId = 1
const waiting = new Map<number, (answer: Answer) => void>()

/**
 * Starts the launcher now (the bot calls this as it starts, before webhooks matter: forking from the
 * bot costs its event loop tens of milliseconds, once).
 */
export function startConverter(): ChildProcess {
  if (launcher && launcher.connected) return launcher
  const child = fork(launcherEntry, [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  child.on('message', (answer: Answer) => {
    const done = waiting.get(answer.id)
    waiting.delete(answer.id)
    done?.(answer)
  })
  child.once('exit', (code, signal) => {
    if (launcher === child) launcher = undefined
    for (const [id, done] of waiting) done({ id, ok: false, kind: 'error', message: `The converter launcher stopped (exit code ${code}, signal ${signal}).` })
    waiting.clear()
  })
  // Idle, it keeps neither the bot's event loop nor the bot's exit waiting.
  child.unref()
  child.channel?.unref()
  launcher = child
  return child
}

/** Stops the launcher (the bot's shutdown); the next conversion starts it again. */
export function stopConverter(): void {
  launcher?.kill()
  launcher = undefined
}

/**
 * Converts an upload: what its bytes alone refuse is refused here at once, text files are read here,
 * and only Word and PDF files (whose converters a crafted file can exhaust) go to a process of their own.
 */
export async function convertInProcess(fileName: string, bytes: Uint8Array, limits: IsolationLimits = DEFAULT_LIMITS): Promise<Converted> {
  const kind = precheckUpload(fileName, bytes)
  if (kind === 'md' || kind === 'txt') return convertUpload(fileName, bytes)
  const converter = startConverter()
  const id = nextId++
  const answer = await new Promise<Answer>((resolve) => {
    waiting.set(id, resolve)
    // Referenced while a conversion is in flight, so its answer is awaited.
    converter.channel?.ref()
    converter.send({ id, entry, module: converterUrl, fileName, bytes, ...limits })
  }).finally(() => {
    if (waiting.size === 0) converter.channel?.unref()
  })
  if (answer.ok) return answer.converted
  switch (answer.kind) {
    case 'conversion':
      throw new ConversionError(answer.message)
    case 'timeout':
      throw new ConversionError(`轉換超過 ${Math.ceil(limits.timeoutMs / 1000)} 秒仍未完成，檔案可能太大或結構異常。請拆成較小的檔案，或另存為新檔後再上傳。`)
    case 'oom':
      throw new ConversionError('這個檔案轉換時需要的記憶體太多（可能含有異常壓縮的內容），無法匯入。請另存為新檔或拆成較小的檔案再上傳。')
    default:
      throw new Error(answer.message)
  }
}
