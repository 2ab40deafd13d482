import { signBody } from '../line/signature.js'

/** Builds LINE webhook events as LINE sends them, for the simulator, tests and benches. */
export interface SimulatedSource {
  userId: string
  groupId?: string
}

let counter = 0
export function newEventId(): string {
  // LINE's webhookEventId is a ULID; any unique string serves locally.
  return `01SIM${Date.now().toString(36).toUpperCase()}${(counter++).toString(36).toUpperCase()}${crypto.randomUUID().slice(0, 6)}`
}

function sourceOf(s: SimulatedSource) {
  return s.groupId ? { type: 'group' as const, groupId: s.groupId, userId: s.userId } : { type: 'user' as const, userId: s.userId }
}

function common(s: SimulatedSource) {
  return { webhookEventId: newEventId(), timestamp: Date.now(), mode: 'active', source: sourceOf(s), deliveryContext: { isRedelivery: false } }
}

export function textEvent(s: SimulatedSource, text: string, replyToken: string, mentionSelf = false) {
  const mention = mentionSelf ? { mention: { mentionees: [{ index: 0, length: 5, type: 'user', userId: 'Ubot', isSelf: true }] } } : {}
  return { ...common(s), type: 'message', replyToken, message: { id: String(Date.now()), type: 'text', quoteToken: 'q', text: mentionSelf ? `@小幫手 ${text}` : text, ...mention } }
}

export function postbackEvent(s: SimulatedSource, data: string, replyToken: string) {
  return { ...common(s), type: 'postback', replyToken, postback: { data } }
}

export function followEvent(s: SimulatedSource, replyToken: string) {
  return { ...common(s), type: 'follow', replyToken, follow: { isUnblocked: false } }
}

export function unfollowEvent(s: SimulatedSource) {
  return { ...common(s), type: 'unfollow' }
}

export function stickerEvent(s: SimulatedSource, replyToken: string) {
  return { ...common(s), type: 'message', replyToken, message: { id: String(Date.now()), type: 'sticker', packageId: '446', stickerId: '1988', stickerResourceType: 'STATIC' } }
}

export function imageEvent(s: SimulatedSource, replyToken: string) {
  return { ...common(s), type: 'message', replyToken, message: { id: String(Date.now()), type: 'image', contentProvider: { type: 'line' } } }
}

export function webhookBody(events: unknown[]): string {
  return JSON.stringify({ destination: 'Ubot0000000000000000000000000000', events })
}

/** Sends events to a webhook URL signed with the channel secret, as LINE's platform does. */
export async function postWebhook(url: string, secret: string, events: unknown[]): Promise<Response> {
  const body = webhookBody(events)
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(secret, body) }, body })
}
