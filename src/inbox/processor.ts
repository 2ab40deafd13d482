import { sql } from 'drizzle-orm'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import { chatOf, type WebhookEvent } from '../line/events.js'
import type { LineApi } from '../line/client.js'
import { enqueueOutbox } from '../line/outbox.js'
import type { LineMessage } from '../line/limits.js'
import { copy } from '../chat/copy.js'
import { toChatInput } from '../chat/input.js'
import { plainText, tappedLabel, text } from '../chat/messages.js'
import type { ChatContext, ChatInput, Effect, Outcome } from '../chat/types.js'
import type { Logger } from '../log.js'
import { completeEvent, type InboxRow } from './store.js'
import { applyCaseEffect } from '../handoff/store.js'

export type Router = (input: ChatInput, ctx: ChatContext) => Promise<Outcome>

export interface ProcessorDeps {
  db: Db
  line: LineApi
  router: Router
  log: Logger
  now?: () => Date
  /** Show LINE's loading animation when a step runs longer than this. */
  loadingAfterMs?: number
}

export class LeaseLost extends Error {
  override name = 'LeaseLost'
}

export interface Processed {
  intent: string
  outboxIds: number[]
  error?: string
}

/**
 * Handles one claimed event: stores the user, conversation and inbound message, runs the router,
 * then — in one transaction — applies its effects, queues the replies and completes the event.
 * Delivery happens after commit (see outbox). A failing step still gets the user a polite reply.
 */
export async function processEvent(deps: ProcessorDeps, row: InboxRow, worker: string): Promise<Processed> {
  const { db } = deps
  const now = deps.now?.() ?? new Date()
  const event = row.payload
  const chat = chatOf(event.source)
  const userId = event.source?.userId
  const input = toChatInput(event)

  if (userId) await upsertUser(db, userId)
  const conversation = chat ? await upsertConversation(db, chat.chatType, chat.chatId, chat.chatType === 'user' ? userId : undefined) : undefined
  if (conversation) await recordInbound(db, conversation.id, userId, event)

  // In standby mode another channel answers the chat: the event is recorded, never replied to.
  if (event.mode === 'standby') {
    if (!(await completeEvent(db, row.webhookEventId, worker))) throw new LeaseLost(row.webhookEventId)
    return { intent: 'standby', outboxIds: [] }
  }
  const replyToken = 'replyToken' in event && typeof event.replyToken === 'string' ? event.replyToken : undefined
  const ctx: ChatContext = { chatType: chat?.chatType ?? 'user', chatId: chat?.chatId ?? '', userId, state: conversation?.state ?? {}, now, replyToken }
  let outcome: Outcome
  let error: string | undefined
  try {
    outcome = await withLoadingAnimation(deps, ctx, () => deps.router(input, ctx))
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
    deps.log.error('step failed', { event: event.webhookEventId, error })
    outcome = { intent: 'error', replies: input.kind === 'ignored' || input.kind === 'unfollow' ? [] : [text(copy.systemError)] }
  }

  const deletes = outcome.effects?.some((e) => e.type === 'delete-user-data') ?? false
  const outboxIds = await db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    for (const effect of outcome.effects ?? []) await applyEffect(tx, effect, { userId, conversationId: conversation?.id, now })
    let ids: number[] = []
    if (chat && outcome.replies.length > 0) {
      ids = await enqueueOutbox(tx, {
        to: chat.chatId,
        replyToken,
        messages: outcome.replies,
        webhookEventId: event.webhookEventId,
        conversationId: deletes ? undefined : conversation?.id,
      })
      if (conversation && !deletes) await recordOutbound(tx, conversation.id, outcome.replies, ids[0])
    }
    if (!(await completeEvent(tx, row.webhookEventId, worker, error))) throw new LeaseLost(row.webhookEventId)
    return ids
  })
  return { intent: outcome.intent, outboxIds, error }
}

async function withLoadingAnimation<T>(deps: ProcessorDeps, ctx: ChatContext, step: () => Promise<T>): Promise<T> {
  if (ctx.chatType !== 'user' || !ctx.chatId) return step()
  let loading: Promise<void> | undefined
  const timer = setTimeout(() => {
    loading = deps.line.showLoading(ctx.chatId, 20).catch((e: unknown) => deps.log.warn('loading animation failed', { error: String(e) }))
  }, deps.loadingAfterMs ?? 1000)
  try {
    return await step()
  } finally {
    clearTimeout(timer)
    // The reply must reach LINE after the animation started, or the animation would outlive it.
    await loading
  }
}

async function upsertUser(db: Db, userId: string): Promise<void> {
  await db.execute(sql`INSERT INTO users (id) VALUES (${userId}) ON CONFLICT (id) DO UPDATE SET updated_at = now()`)
}

async function upsertConversation(db: Db, chatType: string, chatId: string, userId: string | undefined) {
  const result = await db.execute(sql`
    INSERT INTO conversations (chat_type, chat_id, user_id) VALUES (${chatType}, ${chatId}, ${userId ?? null})
    ON CONFLICT (chat_type, chat_id) DO UPDATE SET last_message_at = now()
    RETURNING id, state`)
  const row = rowsOf<{ id: number | string; state: Record<string, unknown> | string }>(result)[0]!
  return { id: Number(row.id), state: typeof row.state === 'string' ? (JSON.parse(row.state) as Record<string, unknown>) : row.state }
}

function describeInbound(event: WebhookEvent): { kind: string; text: string | null; payload: unknown } {
  if (event.type === 'message') {
    const m = (event as Extract<WebhookEvent, { type: 'message' }>).message
    return { kind: m.type, text: m.type === 'text' ? (m.text ?? null) : null, payload: m }
  }
  if (event.type === 'postback') {
    const p = (event as Extract<WebhookEvent, { type: 'postback' }>).postback
    return { kind: 'postback', text: p.data, payload: p }
  }
  return { kind: event.type, text: null, payload: null }
}

/** How many of the bot's latest messages in a chat are searched for the button a postback came from. */
const TAPPED_LOOKBACK = 20

async function recordInbound(db: Db, conversationId: number, userId: string | undefined, event: WebhookEvent): Promise<void> {
  const d = describeInbound(event)
  if (d.kind === 'postback' && d.text !== null) {
    // Stored (and shown to consultants) as what the user tapped, not the button's internal data.
    const shown = rowsOf<{ payload: unknown }>(
      await db.execute(sql`SELECT payload FROM messages WHERE conversation_id = ${conversationId} AND direction = 'out' ORDER BY id DESC LIMIT ${TAPPED_LOOKBACK}`),
    ).map((r) => (typeof r.payload === 'string' ? (JSON.parse(r.payload) as unknown) : r.payload))
    d.text = tappedLabel(shown, d.text) ?? copy.tappedUnknownButton
  }
  await db.execute(sql`
    INSERT INTO messages (conversation_id, user_id, direction, kind, text, payload, webhook_event_id)
    VALUES (${conversationId}, ${userId ?? null}, 'in', ${d.kind}, ${d.text}, ${JSON.stringify(d.payload)}::jsonb, ${event.webhookEventId})
    ON CONFLICT (webhook_event_id, kind) DO NOTHING`)
}

async function recordOutbound(db: Db, conversationId: number, replies: LineMessage[], outboxId: number | undefined): Promise<void> {
  for (const m of replies) {
    await db.execute(sql`
      INSERT INTO messages (conversation_id, direction, kind, text, payload, outbox_id)
      VALUES (${conversationId}, 'out', ${m.type}, ${plainText(m)}, ${JSON.stringify(m)}::jsonb, ${outboxId ?? null})`)
  }
}

async function applyEffect(db: Db, effect: Effect, at: { userId: string | undefined; conversationId: number | undefined; now: Date }): Promise<void> {
  switch (effect.type) {
    case 'set-user-status':
      if (!at.userId) return
      await db.execute(
        effect.status === 'active'
          ? sql`UPDATE users SET status = 'active', followed_at = now(), updated_at = now() WHERE id = ${at.userId}`
          : sql`UPDATE users SET status = 'inactive', unfollowed_at = now(), updated_at = now() WHERE id = ${at.userId}`,
      )
      return
    case 'patch-state':
      if (at.conversationId === undefined) return
      await db.execute(
        effect.value === null
          ? sql`UPDATE conversations SET state = state - ${effect.key}::text WHERE id = ${at.conversationId}`
          : sql`UPDATE conversations SET state = state || jsonb_build_object(${effect.key}::text, ${JSON.stringify(effect.value)}::jsonb) WHERE id = ${at.conversationId}`,
      )
      return
    case 'record-answer': {
      const a = effect.answer
      await db.execute(sql`
        INSERT INTO answers (id, conversation_id, user_id, question, search_query, answer_text, citations, covered, mode, latency_ms)
        VALUES (${a.id}, ${at.conversationId ?? null}, ${at.userId ?? null}, ${a.question}, ${a.searchQuery}, ${a.answerText},
          ${JSON.stringify(a.citations)}::jsonb, ${a.covered}, ${a.mode}, ${a.latencyMs})
        ON CONFLICT (id) DO NOTHING`)
      return
    }
    case 'answer-feedback':
      // Only the user who got the answer can rate it.
      await db.execute(sql`UPDATE answers SET feedback = ${effect.value}, feedback_at = now() WHERE id = ${effect.answerId} AND user_id IS NOT DISTINCT FROM ${at.userId ?? null}`)
      return
    case 'save-assessment': {
      // The owner is the user of this event, never a value from the step.
      if (!at.userId) return
      const a = effect.assessment
      const result = a.result === undefined || a.result === null ? null : JSON.stringify(a.result)
      await db.execute(sql`
        INSERT INTO assessments (id, user_id, version, status, position, answers, result, overall_level, started_at, updated_at, completed_at)
        VALUES (${a.id}, ${at.userId}, ${a.version}, ${a.status}, ${a.position}, ${JSON.stringify(a.answers)}::jsonb, ${result}::jsonb,
          ${a.overallLevel}, ${a.startedAt}::timestamptz, ${a.updatedAt}::timestamptz, ${a.status === 'completed' ? a.updatedAt : null}::timestamptz)
        ON CONFLICT (id) DO UPDATE SET status = excluded.status, position = excluded.position, answers = excluded.answers, result = excluded.result,
          overall_level = excluded.overall_level, updated_at = excluded.updated_at, completed_at = excluded.completed_at
        WHERE assessments.user_id = excluded.user_id`)
      return
    }
    case 'delete-user-data':
      if (at.userId) await deleteUserData(db, at.userId)
      return
    case 'case-start':
    case 'case-update':
    case 'case-open':
    case 'case-user-message':
    case 'case-close':
    case 'case-rating':
      await applyCaseEffect(db, effect, at)
      return
  }
}

/**
 * "刪除我的資料": nothing that names or quotes the user remains — their messages, assessment answers
 * and profile are deleted; their questions, cases and assessment levels stay only as anonymous rows
 * (no text, no id), so the PMO's counts of questions, coverage, handoffs and levels do not change.
 */
export async function deleteUserData(db: Db, userId: string): Promise<void> {
  const conversations = rowsOf<{ id: number | string }>(await db.execute(sql`SELECT id FROM conversations WHERE chat_type = 'user' AND chat_id = ${userId}`)).map((r) => Number(r.id))
  for (const id of conversations) await db.execute(sql`DELETE FROM messages WHERE conversation_id = ${id}`)
  await db.execute(sql`DELETE FROM messages WHERE user_id = ${userId}`)
  await db.execute(sql`UPDATE answers SET user_id = NULL, question = '', search_query = '', answer_text = '' WHERE user_id = ${userId}`)
  await db.execute(sql`UPDATE cases SET user_id = 'deleted', intake = '{}'::jsonb, summary = NULL, summary_facts = NULL, assessment_id = NULL,
    status = 'resolved', resolved_at = coalesce(resolved_at, now()), resolved_by = coalesce(resolved_by, 'user-deleted') WHERE user_id = ${userId}`)
  // Levels stay for the PMO's statistics under a key that names no one; answers and results go.
  await db.execute(sql`UPDATE assessments SET user_id = ${`deleted:${crypto.randomUUID()}`}, answers = '{}'::jsonb, result = NULL,
    status = CASE WHEN status = 'in_progress' THEN 'cancelled' ELSE status END WHERE user_id = ${userId}`)
  // The conversation stays as an anonymous anchor for those rows.
  await db.execute(sql`UPDATE conversations SET chat_id = 'deleted:' || id, user_id = NULL, state = '{}'::jsonb WHERE chat_type = 'user' AND chat_id = ${userId}`)
  await db.execute(sql`DELETE FROM users WHERE id = ${userId}`)
  // Keep inbox ids (they stop redeliveries from being handled again) but drop what the events said and whose they were.
  await db.execute(sql`UPDATE inbox SET payload = '{}'::jsonb, user_id = NULL, order_key = 'deleted:' || webhook_event_id WHERE user_id = ${userId} AND status <> 'pending'`)
  // Replies already delivered to the user; the confirmation still queued is scrubbed once sent (markSent).
  await db.execute(sql`DELETE FROM outbox WHERE "to" = ${userId} AND status IN ('sent', 'failed')`)
}
