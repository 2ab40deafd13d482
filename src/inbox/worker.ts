import { deliverDue } from '../line/outbox.js'
import type { Logger } from '../log.js'
import { processEvent, type ProcessorDeps } from './processor.js'
import { claimEvents, DEFAULT_LEASE_SECONDS, releaseEvent, renewLease, type InboxRow } from './store.js'

export interface WorkerOptions {
  /** Identifies this instance's leases. */
  id?: string
  /** Events claimed and handled at once (different chats only). */
  concurrency?: number
  /** How often to look for leftovers: events of a crashed instance, due retries, other instances' kicks. */
  pollMs?: number
  maxAttempts?: number
  leaseSeconds?: number
  /** Waited on before each event, so webhook acknowledgements go first (Node, one thread). */
  gate?: { quiet(): Promise<void> }
}

export interface HandledEvent {
  event: string
  kind: string
  intent: string
  latencyMs: number
  outcome: 'ok' | 'step-error' | 'retry' | 'lost-lease'
  deliveries: string[]
}

/**
 * Drains the inbox: claims events, handles them, delivers their replies, and repeats until the
 * queue is empty. Used by the Node worker loop and by Workers' waitUntil.
 */
export async function drainInbox(deps: ProcessorDeps, options: WorkerOptions & { id: string; onHandled?: (h: HandledEvent) => void; deadline?: number }): Promise<number> {
  let handled = 0
  for (;;) {
    if (options.deadline !== undefined && Date.now() > options.deadline) return handled
    await options.gate?.quiet()
    const rows = await claimEvents(deps.db, options.id, options.concurrency ?? 8, options.leaseSeconds ?? DEFAULT_LEASE_SECONDS)
    if (rows.length === 0) break
    await Promise.all(rows.map((row) => handleOne(deps, row, options)))
    handled += rows.length
  }
  // Deliveries that failed earlier and are now due.
  await deliverDue(deps.db, deps.line, { limit: 50, owner: options.id })
  return handled
}

async function handleOne(deps: ProcessorDeps, row: InboxRow, options: WorkerOptions & { id: string; onHandled?: (h: HandledEvent) => void }): Promise<void> {
  const started = Date.now()
  const base = { event: row.webhookEventId, kind: row.eventType }
  let h: HandledEvent
  // Keep the lease while working (a slow model answer outlives a short lease).
  const lease = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS
  const heartbeat = setInterval(() => void renewLease(deps.db, row.webhookEventId, options.id, lease).catch(() => {}), (lease * 1000) / 3)
  try {
    const result = await processEvent(deps, row, options.id)
    const deliveries = result.outboxIds.length > 0 ? await deliverDue(deps.db, deps.line, { ids: result.outboxIds, owner: options.id }) : []
    h = { ...base, intent: result.intent, latencyMs: Date.now() - started, outcome: result.error ? 'step-error' : 'ok', deliveries: deliveries.map((d) => d.outcome) }
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    const lost = error instanceof Error && error.name === 'LeaseLost'
    if (!lost) await releaseEvent(deps.db, row.webhookEventId, options.id, message, options.maxAttempts ?? 5).catch(() => {})
    h = { ...base, intent: 'unknown', latencyMs: Date.now() - started, outcome: lost ? 'lost-lease' : 'retry', deliveries: [] }
    deps.log.error('event failed', { ...base, error: message })
  }
  clearInterval(heartbeat)
  deps.log.info('event handled', { ...h })
  options.onHandled?.(h)
}

/** The Node in-process worker: drains on every kick and every `pollMs`. */
export class InboxWorker {
  readonly id: string
  private running = false
  private again = false
  private timer: ReturnType<typeof setInterval> | undefined
  private current: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly deps: ProcessorDeps,
    private readonly options: WorkerOptions & { onHandled?: (h: HandledEvent) => void } = {},
    private readonly log: Logger = deps.log,
  ) {
    this.id = options.id ?? `node-${crypto.randomUUID().slice(0, 8)}`
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000)
    this.timer.unref?.()
    this.kick()
  }

  /** Asks for a drain now; coalesces with one already running. */
  kick(): void {
    if (this.stopped) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = true
    this.current = (async () => {
      do {
        this.again = false
        try {
          await drainInbox(this.deps, { ...this.options, id: this.id })
        } catch (error) {
          this.log.error('inbox drain failed', { error: String(error) })
        }
      } while (this.again && !this.stopped)
      this.running = false
    })()
  }

  /** Stops polling and waits for the drain in progress. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    await this.current
  }
}
