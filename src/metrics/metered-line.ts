import { LineApiError, ReplyTokenRejected, type LineApi } from '../line/client.js'
import type { BotMetrics } from './types.js'

/** The LINE client, counting each call's result: deliveries by path (reply or push) and LINE's errors. */
export function meteredLineApi(line: LineApi, metrics: BotMetrics): LineApi {
  const count = async <T>(call: Parameters<BotMetrics['lineCall']>[0], work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work()
      metrics.lineCall(call, 'ok')
      return result
    } catch (error) {
      metrics.lineCall(call, error instanceof ReplyTokenRejected ? 'token-rejected' : error instanceof LineApiError ? String(error.status ?? 'unreachable') : 'unreachable')
      throw error
    }
  }
  return {
    reply: (token, messages) => count('reply', () => line.reply(token, messages)),
    push: (to, messages, retryKey) => count('push', () => line.push(to, messages, retryKey)),
    multicast: (to, messages, retryKey) => count('multicast', () => line.multicast(to, messages, retryKey)),
    showLoading: (chatId, seconds) => count('loading', () => line.showLoading(chatId, seconds)),
    quota: () => count('quota', () => line.quota()),
  }
}
