import { sql } from 'drizzle-orm'
import type { EffectAppliers } from '../chat/types.js'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import type { TopicId } from './copy.js'

/** A consent in force: a topic and when the user agreed to it. */
export interface Subscription {
  topic: string
  consentedAt: Date
}

declare module '../chat/types.js' {
  interface FeatureEffects {
    /** Gives (with the event's time) or withdraws consent for one topic, or withdraws all (`topic` null). */
    subscription: { type: 'subscription-set'; topic: TopicId | null; on: boolean }
  }
}

/**
 * A consent (subscriptions s) of a user (users u) given after their latest follow: a block and a new
 * follow void earlier consent. In force while the user also still follows (u.status = 'active').
 */
export const CONSENT_SINCE_LATEST_FOLLOW = sql`s.consented_at >= coalesce(u.followed_at, '-infinity'::timestamptz)`

export async function loadSubscriptions(db: Db, userId: string): Promise<Subscription[]> {
  const rows = rowsOf<{ topic: string; consented_at: string | Date }>(
    await db.execute(sql`SELECT s.topic, s.consented_at FROM subscriptions s JOIN users u ON u.id = s.user_id WHERE s.user_id = ${userId} AND u.status = 'active' AND ${CONSENT_SINCE_LATEST_FOLLOW} ORDER BY s.topic`),
  )
  return rows.map((r) => ({ topic: r.topic, consentedAt: new Date(r.consented_at) }))
}

/** What 「我的資料」 shows besides the subscriptions. */
export interface StoredAboutUser {
  messages: number
  assessment: { level: number; at: Date } | undefined
  openCase: { id: number; status: string } | undefined
}

export async function loadStoredAboutUser(db: Db, userId: string): Promise<StoredAboutUser> {
  const [messages, assessment, openCase] = await Promise.all([
    db.execute(sql`SELECT count(*) AS n FROM messages WHERE user_id = ${userId}`),
    db.execute(sql`SELECT overall_level, completed_at FROM assessments WHERE user_id = ${userId} AND status = 'completed' AND overall_level IS NOT NULL ORDER BY completed_at DESC LIMIT 1`),
    db.execute(sql`SELECT id, status FROM cases WHERE user_id = ${userId} AND status IN ('intake', 'open') ORDER BY id DESC LIMIT 1`),
  ])
  const a = rowsOf<{ overall_level: number | string; completed_at: string | Date }>(assessment)[0]
  const c = rowsOf<{ id: number | string; status: string }>(openCase)[0]
  return {
    messages: Number(rowsOf<{ n: number | string }>(messages)[0]?.n ?? 0),
    assessment: a ? { level: Number(a.overall_level), at: new Date(a.completed_at) } : undefined,
    openCase: c ? { id: Number(c.id), status: c.status } : undefined,
  }
}

export const outreachEffects: EffectAppliers = {
  // The database's clock, like users.followed_at, so a consent and a follow compare on one clock.
  'subscription-set': async (db, effect, at) => {
    if (!at.userId) return
    if (effect.topic === null) {
      await db.execute(sql`DELETE FROM subscriptions WHERE user_id = ${at.userId}`)
    } else if (effect.on) {
      await db.execute(sql`INSERT INTO subscriptions (user_id, topic, consented_at) VALUES (${at.userId}, ${effect.topic}, now())
        ON CONFLICT (user_id, topic) DO UPDATE SET consented_at = excluded.consented_at`)
    } else {
      await db.execute(sql`DELETE FROM subscriptions WHERE user_id = ${at.userId} AND topic = ${effect.topic}`)
    }
  },
}
