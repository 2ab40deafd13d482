import type { Context } from 'hono'
import { and, count, eq, gt, lt, max } from 'drizzle-orm'
import { loginFailures } from '../db/schema.js'
import type { Db } from '../db/types.js'

/**
 * Backoff on guessing: after a few failures for one account (or many from one address) within the
 * window, each further try must wait, doubling up to a cap — the right password included, so a
 * guesser gains nothing by trying faster. Kept in the database, so every instance sees it.
 */
export const THROTTLE = {
  /** Failures counted over this long. */
  windowSeconds: 15 * 60,
  /** Free tries before waiting starts, per account and per address. */
  freeTries: { user: 5, ip: 20, setup: 5 },
  /** First wait, doubled per further failure, capped. */
  baseWaitSeconds: 2,
  maxWaitSeconds: 15 * 60,
} as const

export type ThrottleKind = keyof typeof THROTTLE.freeTries

/** The caller's address: Cloudflare's header on Workers, the socket on Node (no client-sent header is trusted). */
export function clientAddress(c: Context): string {
  const cf = c.req.header('cf-connecting-ip')
  if (cf && typeof (c.env as { incoming?: unknown } | undefined)?.incoming === 'undefined') return cf
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
  return incoming?.socket?.remoteAddress ?? 'unknown'
}

/** Seconds to wait before the next try for these keys (0: go ahead). */
export async function waitSeconds(db: Db, keys: { kind: ThrottleKind; key: string }[], now: Date): Promise<number> {
  let wait = 0
  for (const { kind, key } of keys) {
    const [row] = await db
      .select({ n: count(), last: max(loginFailures.at) })
      .from(loginFailures)
      .where(and(eq(loginFailures.key, key), gt(loginFailures.at, new Date(now.getTime() - THROTTLE.windowSeconds * 1000))))
    const over = (row?.n ?? 0) - THROTTLE.freeTries[kind]
    if (over < 0 || !row?.last) continue
    const backoff = Math.min(THROTTLE.baseWaitSeconds * 2 ** over, THROTTLE.maxWaitSeconds)
    const until = row.last.getTime() + backoff * 1000
    wait = Math.max(wait, Math.ceil((until - now.getTime()) / 1000))
  }
  return wait
}

export async function recordFailure(db: Db, keys: string[], now: Date): Promise<void> {
  for (const key of keys) await db.insert(loginFailures).values({ key, at: now })
  // Old rows are of no use; prune now and then.
  if (Math.random() < 0.02) await db.delete(loginFailures).where(lt(loginFailures.at, new Date(now.getTime() - 86_400_000)))
}

export function waitText(seconds: number): string {
  return seconds >= 60 ? `嘗試次數過多，請 ${Math.ceil(seconds / 60)} 分鐘後再試。` : `嘗試次數過多，請 ${seconds} 秒後再試。`
}
