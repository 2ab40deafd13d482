import { and, count, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm'
import type { EffectAppliers } from '../chat/types.js'
import { assessments, cases, messages as messageLog, subscriptions } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
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
  const rows = rowsOf<RawRow<Pick<typeof subscriptions.$inferSelect, 'topic' | 'consentedAt'>>>(
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
  const [[messages], [a], [c]] = await Promise.all([
    db.select({ n: count() }).from(messageLog).where(eq(messageLog.userId, userId)),
    db
      .select({ level: assessments.overallLevel, completedAt: assessments.completedAt })
      .from(assessments)
      .where(and(eq(assessments.userId, userId), eq(assessments.status, 'completed'), isNotNull(assessments.overallLevel)))
      .orderBy(desc(assessments.completedAt))
      .limit(1),
    db
      .select({ id: cases.id, status: cases.status })
      .from(cases)
      .where(and(eq(cases.userId, userId), inArray(cases.status, ['intake', 'open'])))
      .orderBy(desc(cases.id))
      .limit(1),
  ])
  return {
    messages: messages?.n ?? 0,
    // level is not null (filtered above); a completed assessment always has completed_at.
    assessment: a && a.level !== null ? { level: a.level, at: new Date(a.completedAt ?? 0) } : undefined,
    openCase: c,
  }
}

export const outreachEffects: EffectAppliers = {
  // The database's clock, like users.followed_at, so a consent and a follow compare on one clock.
  'subscription-set': async (db, effect, at) => {
    if (!at.userId) return
    if (effect.topic === null) {
      await db.delete(subscriptions).where(eq(subscriptions.userId, at.userId))
    } else if (effect.on) {
      await db
        .insert(subscriptions)
        .values({ userId: at.userId, topic: effect.topic, consentedAt: sql`now()` })
        .onConflictDoUpdate({ target: [subscriptions.userId, subscriptions.topic], set: { consentedAt: sql`excluded.consented_at` } })
    } else {
      await db.delete(subscriptions).where(and(eq(subscriptions.userId, at.userId), eq(subscriptions.topic, effect.topic)))
    }
  },
}
