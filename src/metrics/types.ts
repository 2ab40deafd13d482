/**
 * What the bot reports as it works, for operations. The Node composition root records it for
 * `/metrics` (Prometheus); elsewhere nothing is recorded.
 */
export interface BotMetrics {
  /** A webhook request was answered with `status`; `stored` new events went into the inbox. */
  webhook(status: number, stored: number): void
  /** An event was handled (see HandledEvent): its intent, outcome and milliseconds from claim to delivery. */
  eventHandled(intent: string, outcome: string, ms: number): void
  /** A LINE API call ended: `result` is 'ok', 'token-rejected', 'duplicate' or the HTTP status ('unreachable' without one). */
  lineCall(call: 'reply' | 'push' | 'multicast' | 'loading' | 'quota', result: string): void
}
