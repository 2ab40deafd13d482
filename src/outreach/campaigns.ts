import { and, eq, inArray, sql, type SQL } from 'drizzle-orm'
import { z } from 'zod'
import { campaignBatches, campaignRecipients, campaigns } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
import { LineApiError, type LineApi } from '../line/client.js'
import type { LineMessage } from '../line/limits.js'
import type { Logger } from '../log.js'
import { evaluate, factsSchema } from '../eligibility/engine.js'
import type { ProgrammeRules } from '../eligibility/rules.js'
import { TOPICS } from './copy.js'
import { CONSENT_SINCE_LATEST_FOLLOW } from './store.js'

/**
 * Campaigns: a message to the subscribers a filter picks, sent by multicast exactly once per
 * recipient. The ledger is made before anything is sent — one row per recipient, one per batch of
 * at most 500 with its retry key fixed — so a crash mid-send resumes where it stopped and a batch
 * LINE accepted before the crash is answered 409 (already accepted) instead of sent twice. The
 * month's quota is checked before the first batch; a quota 429 stops the campaign cleanly, with
 * what was sent and what was not.
 */

export const MULTICAST_MAX = 500
/** A batch LINE keeps refusing for other reasons (429 rate limits, 5xx, no answer) is given up after this. */
const MAX_ATTEMPTS = 8
/** A claimed batch is someone's for this long; a crashed sender's batches are taken up after it. */
const LOCK_SECONDS = 30

export const audienceSchema = z.strictObject({
  /** Subscribers of any of these topics (consent is what makes a user reachable at all). */
  topics: z.array(z.enum(TOPICS.map((t) => t.id) as [string, ...string[]])).min(1),
  regions: z.array(z.string().min(1).max(20)).max(30).default([]),
  industries: z.array(z.string().min(1).max(40)).max(30).default([]),
  /** Overall levels of the latest completed assessment (1–5). */
  levels: z.array(z.number().int().min(1).max(5)).max(5).default([]),
  /** Only firms the programme's rules do not rule out (eligible or needs checking): deadline reminders. */
  eligibleFor: z.string().min(1).optional(),
})
export type Audience = z.output<typeof audienceSchema>

const list = (values: readonly (string | number)[]) => sql.join(values.map((v) => sql`${v}`), sql`, `)

type Campaign = typeof campaigns.$inferSelect
type Batch = typeof campaignBatches.$inferSelect

/** A row of {@link audienceQuery}. */
interface AudienceRow {
  user_id: string
  follows: boolean
  /** The firm's facts as the chat state keeps them. */
  firm: unknown
}

/** Users the filter picks among those who consented to one of its topics, with whether they still follow. */
function audienceQuery(a: Audience): SQL {
  const firm = (key: string, values: string[]) =>
    values.length === 0
      ? sql``
      : sql`AND EXISTS (SELECT 1 FROM conversations c WHERE c.chat_type = 'user' AND c.chat_id = u.id AND c.state->'firm'->>${key} IN (${list(values)}))`
  const levels =
    a.levels.length === 0
      ? sql``
      : sql`AND (SELECT x.overall_level FROM assessments x WHERE x.user_id = u.id AND x.status = 'completed' ORDER BY x.completed_at DESC NULLS LAST LIMIT 1) IN (${list(a.levels)})`
  return sql`
    SELECT u.id AS user_id, u.status = 'active' AS follows,
      (SELECT c.state->'firm' FROM conversations c WHERE c.chat_type = 'user' AND c.chat_id = u.id LIMIT 1) AS firm
    FROM users u
    WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.user_id = u.id AND s.topic IN (${list(a.topics)}) AND ${CONSENT_SINCE_LATEST_FOLLOW})
      ${firm('region', a.regions)} ${firm('industry', a.industries)} ${levels}`
}

export interface AudienceCount {
  /** Followers who will get it. */
  reachable: number
  /** Subscribers who blocked the account since: counted, never sent to. */
  blocked: number
}

export async function countAudience(db: Db, audience: Audience, rules?: ProgrammeRules): Promise<AudienceCount> {
  if (audience.eligibleFor) {
    // The eligibility engine runs here, not in SQL: each firm's facts through the programme's rules.
    const rows = rowsOf<AudienceRow>(await db.execute(audienceQuery(audience))).filter((r) => mayApply(rules, audience.eligibleFor!, r.firm))
    return { reachable: rows.filter((r) => r.follows).length, blocked: rows.filter((r) => !r.follows).length }
  }
  const r = rowsOf<AudienceCount>(
    await db.execute(sql`SELECT count(*) FILTER (WHERE follows) AS reachable, count(*) FILTER (WHERE NOT follows) AS blocked FROM (${audienceQuery(audience)}) a`),
  )[0]
  return { reachable: r?.reachable ?? 0, blocked: r?.blocked ?? 0 }
}

/** What a campaign costs against the month's quota: each message to each recipient. */
export function campaignCost(recipients: number, messages: number): number {
  return recipients * messages
}

/** The month's quota left; null when the plan has no limit. */
export async function remainingQuota(line: LineApi): Promise<number | null> {
  const q = await line.quota()
  return q.limit === null ? null : Math.max(0, q.limit - q.used)
}

/** A scheduled campaign; with a `reminderKey` already taken (another instance made it), none, and undefined is returned. */
export async function createCampaign(db: Db, c: { title: string; messages: LineMessage[]; audience: Audience; createdBy: string; scheduledAt?: Date; reminderKey?: string }): Promise<number | undefined> {
  const [row] = await db
    .insert(campaigns)
    .values({ title: c.title, messages: c.messages, audience: c.audience, status: 'scheduled', scheduledAt: c.scheduledAt ?? new Date(), createdBy: c.createdBy, reminderKey: c.reminderKey ?? null })
    .onConflictDoNothing({ target: campaigns.reminderKey })
    .returning({ id: campaigns.id })
  return row?.id
}

interface Deps {
  db: Db
  line: LineApi
  log: Logger
  /** This sender's name, for the batches it holds. */
  owner: string
  /** The programme rules, for audiences limited to firms that may apply (deadline reminders). */
  rules?: ProgrammeRules
}

/** Whether the firm (its facts as the chat state keeps them) is not ruled out by any track of the programme. */
export function mayApply(rules: ProgrammeRules | undefined, programmeId: string, firm: unknown): boolean {
  if (!rules) throw new Error('programme rules are needed for an eligibility audience')
  const facts = factsSchema.safeParse(firm ?? {}).data ?? {}
  return evaluate(rules, facts, new Date(), { programmes: [programmeId] }).some((t) => t.verdict !== 'not-eligible')
}

/**
 * Starts the campaigns that are due: fixes their recipients and batches (once: a restart finds them
 * made) and refuses one the quota cannot carry, before anything is sent.
 */
export async function startDueCampaigns(deps: Deps): Promise<number[]> {
  const { db } = deps
  const due = rowsOf<RawRow<Pick<Campaign, 'id'>>>(
    await db.execute(sql`UPDATE campaigns SET status = 'sending', started_at = coalesce(started_at, now())
      WHERE id IN (SELECT id FROM campaigns WHERE status = 'scheduled' AND scheduled_at <= now() ORDER BY id FOR UPDATE SKIP LOCKED)
      RETURNING id`),
  ).map((r) => r.id)
  // Also any campaign left 'sending' with no ledger (a crash between the two steps).
  const orphans = rowsOf<RawRow<Pick<Campaign, 'id'>>>(
    await db.execute(sql`SELECT c.id FROM campaigns c WHERE c.status = 'sending' AND NOT EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = c.id)`),
  ).map((r) => r.id)
  const started: number[] = []
  for (const id of new Set([...due, ...orphans])) {
    await prepareLedger(deps, id)
    started.push(id)
  }
  return started
}

async function prepareLedger(deps: Deps, id: number): Promise<void> {
  const { db } = deps
  const [c] = await db.select({ audience: campaigns.audience, messages: campaigns.messages }).from(campaigns).where(eq(campaigns.id, id))
  if (!c) return
  const audience = audienceSchema.parse(c.audience)
  const messages = c.messages as unknown[]
  const picked = rowsOf<AudienceRow>(await db.execute(sql`${audienceQuery(audience)} ORDER BY u.id`))
  const recipients = audience.eligibleFor ? picked.filter((r) => mayApply(deps.rules, audience.eligibleFor!, r.firm)) : picked
  const reachable = recipients.filter((r) => r.follows)
  const remaining = await remainingQuota(deps.line).catch(() => undefined)
  const cost = campaignCost(reachable.length, messages.length)
  if (remaining === undefined || (remaining !== null && cost > remaining)) {
    const why = remaining === undefined ? '無法讀取本月訊息額度，未發送' : `本月剩餘額度 ${remaining} 則，不足以發送 ${cost} 則，未發送`
    await db
      .update(campaigns)
      .set({ status: 'refused', stopReason: why, finishedAt: sql`now()` })
      .where(and(eq(campaigns.id, id), eq(campaigns.status, 'sending')))
    deps.log.warn('campaign refused before sending', { campaign: id, cost, remaining: remaining ?? 'unknown' })
    return
  }
  if (recipients.length === 0) {
    // Nobody matches: nothing to record or send (and no ledger a later round would take for a crash).
    await db
      .update(campaigns)
      .set({ status: 'done', finishedAt: sql`now()` })
      .where(and(eq(campaigns.id, id), eq(campaigns.status, 'sending')))
    return
  }
  let n = 0
  const rows = recipients.map((r) =>
    r.follows
      ? { campaignId: id, userId: r.user_id, batch: Math.floor(n++ / MULTICAST_MAX), status: 'queued' as const }
      : { campaignId: id, userId: r.user_id, batch: null, status: 'blocked' as const },
  )
  await db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    for (let i = 0; i < rows.length; i += 1000) {
      await tx.insert(campaignRecipients).values(rows.slice(i, i + 1000)).onConflictDoNothing()
    }
    const batches = Math.ceil(reachable.length / MULTICAST_MAX)
    for (let b = 0; b < batches; b++) await tx.insert(campaignBatches).values({ campaignId: id, batch: b, retryKey: crypto.randomUUID() }).onConflictDoNothing()
  })
}

type Outcome = 'sent' | 'quota' | 'retry' | 'failed'

function outcomeOf(error: unknown): { outcome: Outcome; error: string } {
  if (!(error instanceof LineApiError)) return { outcome: 'retry', error: String(error) }
  if (error.status === 429 && /monthly limit/i.test(error.message)) return { outcome: 'quota', error: error.message }
  if (error.status === undefined || error.status === 429 || error.status >= 500) return { outcome: 'retry', error: error.message }
  return { outcome: 'failed', error: error.message }
}

/**
 * The campaign's messages with its id on every postback (quick replies, buttons), so the PMO sees
 * which taps it brought. The data stays a query string the bot's routes read as before.
 */
export function withCampaignId(messages: LineMessage[], campaignId: number): LineMessage[] {
  const tag = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(tag)
    if (v === null || typeof v !== 'object') return v
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tag(x)]))
    if (o.type === 'postback' && typeof o.data === 'string' && !/(^|&)campaign=/.test(o.data)) o.data = `${o.data}${o.data ? '&' : ''}campaign=${campaignId}`
    return o
  }
  return tag(messages) as LineMessage[]
}

/** Sends the batches that are due, one multicast each; returns how many batches were tried. */
export async function sendDueBatches(deps: Deps, limit = 20): Promise<number> {
  const { db } = deps
  const claimed = rowsOf<RawRow<Pick<Batch, 'campaignId' | 'batch' | 'retryKey' | 'attempts'> & Pick<Campaign, 'messages'>>>(
    await db.execute(sql`
      WITH due AS (
        SELECT b.campaign_id, b.batch FROM campaign_batches b JOIN campaigns c ON c.id = b.campaign_id
        WHERE c.status = 'sending' AND b.next_attempt_at <= now()
          AND (b.status = 'pending' OR (b.status = 'sending' AND b.locked_until < now()))
        ORDER BY b.campaign_id, b.batch LIMIT ${limit}
        FOR UPDATE OF b SKIP LOCKED)
      UPDATE campaign_batches b SET status = 'sending', attempts = b.attempts + 1, locked_by = ${deps.owner},
        locked_until = now() + make_interval(secs => ${LOCK_SECONDS})
      FROM due, campaigns c WHERE b.campaign_id = due.campaign_id AND b.batch = due.batch AND c.id = b.campaign_id
      RETURNING b.campaign_id, b.batch, b.retry_key, b.attempts, c.messages`),
  )
  for (const b of claimed) {
    const campaignId = b.campaign_id
    // A campaign stopped meanwhile (the quota ran out on an earlier batch, here or elsewhere) sends no more.
    const [still] = await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, campaignId))
    if (still?.status !== 'sending') {
      await db
        .update(campaignBatches)
        .set({ status: 'unsent', lockedUntil: null })
        .where(and(eq(campaignBatches.campaignId, campaignId), eq(campaignBatches.batch, b.batch), eq(campaignBatches.status, 'sending')))
      continue
    }
    const to = (
      await db
        .select({ userId: campaignRecipients.userId })
        .from(campaignRecipients)
        .where(and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.batch, b.batch)))
        .orderBy(campaignRecipients.userId)
    ).map((r) => r.userId)
    const messages = withCampaignId(b.messages as LineMessage[], campaignId)
    let result: { outcome: Outcome; error?: string }
    try {
      // An empty batch (its recipients deleted their data meanwhile) has nothing to send.
      if (to.length > 0) await deps.line.multicast(to, messages, b.retry_key)
      result = { outcome: 'sent' }
    } catch (error) {
      result = outcomeOf(error)
    }
    await settleBatch(deps, campaignId, b.batch, b.attempts, result)
  }
  if (claimed.length > 0) await finishCampaigns(db)
  return claimed.length
}

async function settleBatch(deps: Deps, campaignId: number, batch: number, attempts: number, r: { outcome: Outcome; error?: string }): Promise<void> {
  const { db } = deps
  const batchIs = and(eq(campaignBatches.campaignId, campaignId), eq(campaignBatches.batch, batch))
  const recipientsOf = and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.batch, batch))
  if (r.outcome === 'sent') {
    await db.transaction(async (txn) => {
      const tx = txn as unknown as Db
      await tx.update(campaignBatches).set({ status: 'sent', sentAt: sql`now()`, error: null, lockedUntil: null }).where(batchIs)
      await tx.update(campaignRecipients).set({ status: 'sent' }).where(recipientsOf)
    })
  } else if (r.outcome === 'quota') {
    // The month's quota ran out: stop here; what was not sent is marked so, and nothing is retried.
    await db.transaction(async (txn) => {
      const tx = txn as unknown as Db
      await tx
        .update(campaigns)
        .set({ status: 'stopped', stopReason: '本月訊息額度已用完，其餘未發送', finishedAt: sql`now()` })
        .where(and(eq(campaigns.id, campaignId), eq(campaigns.status, 'sending')))
      await tx
        .update(campaignBatches)
        .set({ status: 'unsent', error: r.error ?? null, lockedUntil: null })
        .where(and(eq(campaignBatches.campaignId, campaignId), inArray(campaignBatches.status, ['pending', 'sending'])))
      await tx
        .update(campaignRecipients)
        .set({ status: 'unsent' })
        .where(and(eq(campaignRecipients.campaignId, campaignId), eq(campaignRecipients.status, 'queued')))
    })
    deps.log.warn('campaign stopped: monthly quota reached', { campaign: campaignId, batch })
  } else if (r.outcome === 'retry' && attempts < MAX_ATTEMPTS) {
    const wait = Math.min(300, 2 ** attempts)
    await db
      .update(campaignBatches)
      .set({ status: 'pending', error: r.error ?? null, lockedUntil: null, nextAttemptAt: sql`now() + make_interval(secs => ${wait})` })
      .where(batchIs)
  } else {
    await db.transaction(async (txn) => {
      const tx = txn as unknown as Db
      await tx.update(campaignBatches).set({ status: 'failed', error: r.error ?? null, lockedUntil: null }).where(batchIs)
      await tx.update(campaignRecipients).set({ status: 'failed' }).where(recipientsOf)
    })
    deps.log.error('campaign batch failed', { campaign: campaignId, batch, error: r.error })
  }
}

/** A campaign whose batches are all settled is done. */
async function finishCampaigns(db: Db): Promise<void> {
  await db.execute(sql`UPDATE campaigns c SET status = 'done', finished_at = now()
    WHERE c.status = 'sending' AND EXISTS (SELECT 1 FROM campaign_recipients r WHERE r.campaign_id = c.id)
      AND NOT EXISTS (SELECT 1 FROM campaign_batches b WHERE b.campaign_id = c.id AND b.status IN ('pending', 'sending'))`)
}

/**
 * Batches a previous run of this sender left claimed (it died mid-send) are due again now rather than
 * when their lock lapses; LINE answers 409 for the ones it had accepted. `owner` undefined: all of
 * them (the embedded database has one process).
 */
export async function reclaimCampaignBatches(db: Db, owner: string | undefined): Promise<number> {
  const rows = await db
    .update(campaignBatches)
    .set({ lockedUntil: sql`now() - interval '1 second'`, nextAttemptAt: sql`now()` })
    .where(and(eq(campaignBatches.status, 'sending'), owner === undefined ? undefined : eq(campaignBatches.lockedBy, owner)))
    .returning({ batch: campaignBatches.batch })
  return rows.length
}

/** One round: start what is due, then send until nothing is due (or the deadline passes). */
export async function runCampaigns(deps: Deps, deadline = Infinity): Promise<void> {
  try {
    await startDueCampaigns(deps)
    // A campaign whose recipients have all blocked the account has no batch: it is done at once.
    await finishCampaigns(deps.db)
    while (Date.now() < deadline && (await sendDueBatches(deps)) > 0);
  } catch (error) {
    deps.log.error('campaign round failed', { error: String(error) })
  }
}

export interface CampaignProgress {
  id: number
  title: string
  status: string
  stopReason: string | null
  recipients: number
  sent: number
  failed: number
  blocked: number
  unsent: number
  queued: number
  batches: number
  batchesSent: number
}

export async function campaignProgress(db: Db, id: number): Promise<CampaignProgress | undefined> {
  const [c] = await db.select({ id: campaigns.id, title: campaigns.title, status: campaigns.status, stopReason: campaigns.stopReason }).from(campaigns).where(eq(campaigns.id, id))
  if (!c) return undefined
  // count(*) is a bigint, which both database adapters read as a number.
  const r = rowsOf<Pick<CampaignProgress, 'recipients' | 'sent' | 'failed' | 'blocked' | 'unsent' | 'queued'>>(
    await db.execute(sql`SELECT count(*) AS recipients, count(*) FILTER (WHERE status = 'sent') AS sent, count(*) FILTER (WHERE status = 'failed') AS failed,
      count(*) FILTER (WHERE status = 'blocked') AS blocked, count(*) FILTER (WHERE status = 'unsent') AS unsent, count(*) FILTER (WHERE status = 'queued') AS queued
      FROM campaign_recipients WHERE campaign_id = ${id}`),
  )[0]!
  const b = rowsOf<{ batches: number; sent: number }>(await db.execute(sql`SELECT count(*) AS batches, count(*) FILTER (WHERE status = 'sent') AS sent FROM campaign_batches WHERE campaign_id = ${id}`))[0]!
  return { id: c.id, title: c.title, status: c.status, stopReason: c.stopReason, recipients: r.recipients, sent: r.sent, failed: r.failed, blocked: r.blocked, unsent: r.unsent, queued: r.queued, batches: b.batches, batchesSent: b.sent }
}

/** What followed a campaign: taps on its buttons, and what its recipients did within 7 days of it. */
export interface CampaignResults {
  /** Recipients who tapped one of its buttons. */
  tapped: number
  /** Recipients who asked a question, finished an assessment or asked for a consultant within 7 days. */
  asked: number
  assessed: number
  handedOff: number
}

export async function campaignResults(db: Db, id: number): Promise<CampaignResults> {
  const r = rowsOf<{ tapped: number; asked: number; assessed: number; handed_off: number }>(
    await db.execute(sql`
      WITH c AS (SELECT id, coalesce(started_at, created_at) AS at FROM campaigns WHERE id = ${id}),
      sent AS (SELECT r.user_id FROM campaign_recipients r WHERE r.campaign_id = ${id} AND r.status = 'sent')
      SELECT
        (SELECT count(DISTINCT m.user_id) FROM messages m, c WHERE m.direction = 'in' AND m.kind = 'postback' AND m.created_at >= c.at
          AND m.payload->>'data' ~ ${`(^|&)campaign=${id}(&|$)`}) AS tapped,
        (SELECT count(DISTINCT a.user_id) FROM answers a, c WHERE a.user_id IN (SELECT user_id FROM sent) AND a.created_at BETWEEN c.at AND c.at + interval '7 days') AS asked,
        (SELECT count(DISTINCT x.user_id) FROM assessments x, c WHERE x.user_id IN (SELECT user_id FROM sent) AND x.status = 'completed' AND x.completed_at BETWEEN c.at AND c.at + interval '7 days') AS assessed,
        (SELECT count(DISTINCT k.user_id) FROM cases k, c WHERE k.user_id IN (SELECT user_id FROM sent) AND k.created_at BETWEEN c.at AND c.at + interval '7 days') AS handed_off`),
  )[0]!
  return { tapped: r.tapped, asked: r.asked, assessed: r.assessed, handedOff: r.handed_off }
}

export interface CampaignSummary extends CampaignResults {
  id: number
  title: string
  status: string
  at: Date
  recipients: number
  sent: number
  blocked: number
}

/** The latest campaigns with their delivery and what followed, newest first (洞察 and its CSV). */
export async function recentCampaigns(db: Db, limit = 20): Promise<CampaignSummary[]> {
  const rows = rowsOf<RawRow<Pick<Campaign, 'id' | 'title' | 'status'>> & { at: string }>(
    await db.execute(sql`SELECT id, title, status, coalesce(started_at, scheduled_at, created_at) AS at FROM campaigns ORDER BY id DESC LIMIT ${limit}`),
  )
  return Promise.all(
    rows.map(async (r) => {
      const id = r.id
      const [p, results] = await Promise.all([campaignProgress(db, id), campaignResults(db, id)])
      return { id, title: r.title, status: r.status, at: new Date(r.at), recipients: p?.recipients ?? 0, sent: p?.sent ?? 0, blocked: p?.blocked ?? 0, ...results }
    }),
  )
}
