import { sql } from 'drizzle-orm'
import type { conversations } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
import { chatOf, type WebhookEvent } from '../line/events.js'
import type { LineApi } from '../line/client.js'
import { enqueueOutbox } from '../line/outbox.js'
import type { LineMessage } from '../line/limits.js'
import { copy } from '../chat/copy.js'
import { toChatInput } from '../chat/input.js'
import { plainText, tappedLabel, text } from '../chat/messages.js'
import type { ChatInput, ConversationFacts, Effect, EffectAppliers, EffectTarget, Outcome } from '../chat/types.js'
import type { Logger } from '../log.js'
import { completeEvent, type InboxRow } from './store.js'

/** The dispatcher (chat/dispatch.ts): it reads the conversation's mode from the facts, then runs the routes. */
export type Router = (input: ChatInput, facts: ConversationFacts) => Promise<Outcome>

export interface ProcessorDeps {
  db: Db
  line: LineApi
  router: Router
  /** Writers of the features' effects (the kernel writes its own). */
  effects: EffectAppliers
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
  const ctx: ConversationFacts = { chatType: chat?.chatType ?? 'user', chatId: chat?.chatId ?? '', userId, state: conversation?.state ?? {}, now, replyToken }
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
    for (const effect of outcome.effects ?? []) await applyEffect(deps, tx, effect, { userId, conversationId: conversation?.id, now })
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

async function withLoadingAnimation<T>(deps: ProcessorDeps, ctx: ConversationFacts, step: () => Promise<T>): Promise<T> {
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
  const row = rowsOf<RawRow<Pick<typeof conversations.$inferSelect, 'id' | 'state'>>>(result)[0]!
  return { id: row.id, state: row.state }
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
    ).map((r) => r.payload)
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

async function applyEffect(deps: ProcessorDeps, db: Db, effect: Effect, at: EffectTarget): Promise<void> {
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
    default: {
      // A feature's effect, written by the applier the feature registered.
      const apply = deps.effects[effect.type] as ((db: Db, effect: Effect, at: EffectTarget) => Promise<void>) | undefined
      if (!apply) throw new Error(`no applier registered for effect ${effect.type}`)
      await apply(db, effect, at)
    }
  }
}
