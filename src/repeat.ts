/**
 * Work done every `intervalMs` and on demand (`kick`), never twice at once: a kick during a round
 * asks for one more round after it. stop() waits for the round in progress.
 */
export function repeatEvery(work: () => Promise<void>, intervalMs: number): { kick(): void; stop(): Promise<void> } {
  let current: Promise<void> = Promise.resolve()
  let running = false
  let again = false
  let stopped = false
  const kick = () => {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = true
    current = (async () => {
      do {
        again = false
        await work()
      } while (again && !stopped)
      running = false
    })()
  }
  const timer = setInterval(kick, intervalMs)
  timer.unref?.()
  return {
    kick,
    async stop() {
      stopped = true
      clearInterval(timer)
      await current
    },
  }
}
