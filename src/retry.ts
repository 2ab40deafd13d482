/**
 * Retrying calls to outside HTTP services (LINE, the consultants' notification webhook): 429, 5xx
 * and network failures are tried again with exponential backoff that honours Retry-After; other
 * failures are final.
 */

export interface RetryPolicy {
  /** Total tries, including the first. */
  attempts: number
  baseDelayMs: number
  /** No single wait is longer than this, whatever Retry-After says (reply tokens expire in about a minute). */
  maxDelayMs: number
  sleep: (ms: number) => Promise<void>
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/** An HTTP answer that was not 2xx. @line/bot-sdk's HTTPFetchError has the same two fields. */
export class HttpStatusError extends Error {
  override name = 'HttpStatusError'
  constructor(
    readonly status: number,
    readonly headers?: Headers,
  ) {
    super(`HTTP ${status}`)
  }
}

type WithStatus = { status: number; headers?: Headers }

function statusOf(error: unknown): WithStatus | undefined {
  return error instanceof Error && typeof (error as Partial<WithStatus>).status === 'number' ? (error as Error & WithStatus) : undefined
}

function retryAfterMs(error: WithStatus): number | undefined {
  const value = error.headers?.get?.('retry-after')
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

function isRetryable(error: unknown): boolean {
  const http = statusOf(error)
  if (http) return http.status === 429 || http.status >= 500
  return error instanceof TypeError // fetch's network failure
}

/** Runs `call`, retrying 429/5xx/network failures with exponential backoff that honours Retry-After. */
export async function withRetry<T>(call: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!isRetryable(error) || attempt >= policy.attempts) throw error
      const backoff = policy.baseDelayMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2)
      const http = statusOf(error)
      const hinted = http ? retryAfterMs(http) : undefined
      await policy.sleep(Math.min(hinted ?? backoff, policy.maxDelayMs))
    }
  }
}
