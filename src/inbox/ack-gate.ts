/**
 * Acknowledgements go first. Webhook requests mark themselves in flight; the in-process worker
 * waits while any are, or while one finished very recently, before it starts the next event. Under
 * a burst the backlog grows in the inbox (that is what it is for) instead of LINE's requests
 * queueing behind answer work on the same thread. `maxWaitMs` bounds each wait, so the worker
 * still progresses under sustained traffic.
 */
export class AckGate {
  private inFlight = 0
  private lastDone = 0

  constructor(
    private readonly quietMs = 15,
    private readonly maxWaitMs = 250,
  ) {}

  begin(): void {
    this.inFlight++
  }

  end(): void {
    this.inFlight = Math.max(0, this.inFlight - 1)
    this.lastDone = performance.now()
  }

  private busy(): boolean {
    return this.inFlight > 0 || performance.now() - this.lastDone < this.quietMs
  }

  /** Resolves once acknowledgements are quiet, or after `maxWaitMs`. */
  async quiet(): Promise<void> {
    const until = performance.now() + this.maxWaitMs
    while (this.busy() && performance.now() < until) await new Promise((r) => setTimeout(r, 5))
  }
}
