import { z } from 'zod'

/** LINE webhook bodies (Messaging API). Known event types are checked in detail; unknown ones pass through. */

export const sourceSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), userId: z.string().min(1) }),
  z.object({ type: z.literal('group'), groupId: z.string().min(1), userId: z.string().optional() }),
  z.object({ type: z.literal('room'), roomId: z.string().min(1), userId: z.string().optional() }),
])
export type Source = z.infer<typeof sourceSchema>

const common = {
  webhookEventId: z.string().min(1),
  timestamp: z.number().int().nonnegative(),
  mode: z.enum(['active', 'standby']).optional(),
  source: sourceSchema.optional(),
  deliveryContext: z.object({ isRedelivery: z.boolean() }).optional(),
}

const mentioneeSchema = z.looseObject({
  index: z.number().int(),
  length: z.number().int(),
  type: z.enum(['user', 'all']).optional(),
  userId: z.string().optional(),
  isSelf: z.boolean().optional(),
})

export const messageSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  text: z.string().optional(),
  mention: z.looseObject({ mentionees: z.array(mentioneeSchema) }).optional(),
})

/** No reply token in standby mode (another channel is active) and on some redeliveries: still a valid event. */
const replyToken = z.string().optional()
const messageEvent = z.looseObject({ ...common, type: z.literal('message'), replyToken, message: messageSchema })
const postbackEvent = z.looseObject({
  ...common,
  type: z.literal('postback'),
  replyToken,
  postback: z.looseObject({ data: z.string(), params: z.record(z.string(), z.string()).optional() }),
})
const followEvent = z.looseObject({ ...common, type: z.literal('follow'), replyToken })
const unfollowEvent = z.looseObject({ ...common, type: z.literal('unfollow') })

const KNOWN = ['message', 'postback', 'follow', 'unfollow'] as const
const otherEvent = z.looseObject({
  ...common,
  type: z.string().refine((t) => !(KNOWN as readonly string[]).includes(t), 'malformed event'),
  replyToken: z.string().optional(),
})

export const eventSchema = z.union([
  z.discriminatedUnion('type', [messageEvent, postbackEvent, followEvent, unfollowEvent]),
  otherEvent,
])
export type WebhookEvent = z.infer<typeof eventSchema>
export type MessageEvent = z.infer<typeof messageEvent>
export type PostbackEvent = z.infer<typeof postbackEvent>

export const webhookBodySchema = z.object({
  destination: z.string(),
  events: z.array(eventSchema),
})

/** The envelope alone: each event is then checked by itself, so one bad event does not sink the others. */
export const webhookEnvelopeSchema = z.object({ destination: z.string(), events: z.array(z.unknown()) })

/**
 * Text Postgres cannot store (NUL, and UTF-16 halves without their pair, which jsonb refuses) is
 * replaced: NUL dropped, a lone half turned into U+FFFD — in every string of the event.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

export function sanitizeStrings<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\uFFFD') as T
  if (Array.isArray(value)) return value.map(sanitizeStrings) as T
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [sanitizeStrings(k), sanitizeStrings(v)])) as T
  return value
}

/** The chat an event belongs to; events of one chat are handled in order. */
export function chatOf(source: Source | undefined): { chatType: 'user' | 'group' | 'room'; chatId: string } | undefined {
  if (!source) return undefined
  switch (source.type) {
    case 'user':
      return { chatType: 'user', chatId: source.userId }
    case 'group':
      return { chatType: 'group', chatId: source.groupId }
    case 'room':
      return { chatType: 'room', chatId: source.roomId }
  }
}
