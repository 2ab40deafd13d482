import { HTTPFetchError, messagingApi } from '@line/bot-sdk'
import { defaultRetryPolicy, withRetry, type RetryPolicy } from '../retry.js'
import type { LineMessage } from './limits.js'

/** What the bot needs from the LINE Messaging API. */
export interface LineApi {
  reply(replyToken: string, messages: LineMessage[]): Promise<void>
  /** `retryKey` (a UUID) makes LINE accept a retried push only once. */
  push(to: string, messages: LineMessage[], retryKey: string): Promise<void>
  showLoading(chatId: string, seconds: number): Promise<void>
  /**
   * One multicast (at most 500 users), tried once: the campaign ledger decides what a failure means.
   * A retry key LINE already accepted (409) counts as sent.
   */
  multicast(to: string[], messages: LineMessage[], retryKey: string): Promise<void>
  /** This month's message quota: `limit` null when the plan has none; `used` counts pushes, not replies. */
  quota(): Promise<{ limit: number | null; used: number }>
}

/** The reply token was used or has expired: send by push instead. */
export class ReplyTokenRejected extends Error {
  override name = 'ReplyTokenRejected'
}

/** LINE refused the request for good (4xx other than 429), or kept failing after retries. */
export class LineApiError extends Error {
  override name = 'LineApiError'
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message)
  }
}

function describe(error: unknown): LineApiError {
  if (error instanceof HTTPFetchError) return new LineApiError(`LINE API ${error.status}: ${error.body.slice(0, 300)}`, error.status)
  return new LineApiError(`LINE API unreachable: ${(error as Error).message}`, undefined)
}

/** The Messaging API through the official SDK, with our retry policy. `baseUrl` points at LINE or a fake. */
export function createLineApi(options: { channelAccessToken: string; baseUrl: string; retry?: RetryPolicy }): LineApi {
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: options.channelAccessToken, baseURL: options.baseUrl })
  const retry = options.retry ?? defaultRetryPolicy
  return {
    async reply(replyToken, messages) {
      try {
        await withRetry(() => client.replyMessage({ replyToken, messages }), retry)
      } catch (error) {
        if (error instanceof HTTPFetchError && error.status === 400 && /reply token/i.test(error.body)) {
          throw new ReplyTokenRejected(error.body)
        }
        throw describe(error)
      }
    },
    async push(to, messages, retryKey) {
      try {
        await withRetry(() => client.pushMessage({ to, messages }, retryKey), retry)
      } catch (error) {
        // 409: a request with this retry key was already accepted, i.e. the push was delivered.
        if (error instanceof HTTPFetchError && error.status === 409) return
        throw describe(error)
      }
    },
    async multicast(to, messages, retryKey) {
      try {
        await client.multicast({ to, messages }, retryKey)
      } catch (error) {
        if (error instanceof HTTPFetchError && error.status === 409) return
        throw describe(error)
      }
    },
    async showLoading(chatId, seconds) {
      const loadingSeconds = Math.min(60, Math.max(5, Math.ceil(seconds / 5) * 5))
      try {
        await client.showLoadingAnimation({ chatId, loadingSeconds })
      } catch (error) {
        throw describe(error)
      }
    },
    async quota() {
      // Shown beside the reply box only: one try each, no retries, so a slow LINE never holds the page.
      try {
        const [limit, usage] = await Promise.all([client.getMessageQuota(), client.getMessageQuotaConsumption()])
        return { limit: limit.type === 'limited' ? (limit.value ?? 0) : null, used: usage.totalUsage }
      } catch (error) {
        throw describe(error)
      }
    },
  }
}
