import { fork } from 'node:child_process'
import { setPriority } from 'node:os'
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

type Answer = { ok: true; converted: Converted } | { ok: false; conversion: boolean; message: string }

/**
 * Converts an upload: what its bytes alone refuse is refused here at once, text files are read here,
 * and only Word and PDF files (whose converters a crafted file can exhaust) start a process.
 */
export async function convertInProcess(fileName: string, bytes: Uint8Array, limits: IsolationLimits = DEFAULT_LIMITS): Promise<Converted> {
  if (!precheckUpload(fileName, bytes).heavy) return convertUpload(fileName, bytes)
  return new Promise<Converted>((resolve, reject) => {
    const child = fork(entry, [], {
      execArgv: [`--max-old-space-size=${limits.maxMemoryMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    })
    // Background work: on a small machine the converter must not take the CPU that acknowledges webhooks.
    try {
      if (child.pid !== undefined) setPriority(child.pid, 19)
    } catch {
      // not permitted here: it runs at normal priority
    }
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      fn()
      child.kill('SIGKILL')
    }
    const timer = setTimeout(
      () => settle(() => reject(new ConversionError(`轉換超過 ${Math.ceil(limits.timeoutMs / 1000)} 秒仍未完成，檔案可能太大或結構異常。請拆成較小的檔案，或另存為新檔後再上傳。`))),
      limits.timeoutMs,
    )
    child.once('message', (m: Answer) => settle(() => (m.ok ? resolve(m.converted) : reject(m.conversion ? new ConversionError(m.message) : new Error(m.message)))))
    child.once('error', (error) => settle(() => reject(error)))
    child.once('exit', (code, signal) =>
      settle(() =>
        reject(
          // V8 aborts (SIGABRT, or exit 134) when the heap limit is reached.
          signal === 'SIGABRT' || code === 134
            ? new ConversionError('這個檔案轉換時需要的記憶體太多（可能含有異常壓縮的內容），無法匯入。請另存為新檔或拆成較小的檔案再上傳。')
            : new Error(`The conversion process stopped (exit code ${code}, signal ${signal}).`),
        ),
      ),
    )
    child.send({ module: converterUrl, fileName, bytes })
  })
}
