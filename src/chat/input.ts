import type { WebhookEvent } from '../line/events.js'
import type { ChatInput } from './types.js'

/**
 * Turns a LINE event into what the user did. In groups and rooms the bot answers only when
 * mentioned; the mention itself is cut from the text.
 */
export function toChatInput(event: WebhookEvent): ChatInput {
  if (event.mode === 'standby') return { kind: 'ignored', reason: 'standby' }
  const inGroup = event.source?.type === 'group' || event.source?.type === 'room'
  switch (event.type) {
    case 'follow':
      return { kind: 'follow' }
    case 'unfollow':
      return { kind: 'unfollow' }
    case 'join':
      return { kind: 'join' }
    case 'postback': {
      const e = event as Extract<WebhookEvent, { type: 'postback' }>
      return { kind: 'postback', data: e.postback.data, params: e.postback.params }
    }
    case 'message': {
      const { message } = event as Extract<WebhookEvent, { type: 'message' }>
      if (inGroup) {
        const self = message.mention?.mentionees.filter((m) => m.isSelf) ?? []
        if (self.length === 0) return { kind: 'ignored', reason: 'group-without-mention' }
        if (message.type === 'text' && message.text !== undefined) return { kind: 'text', text: stripMentions(message.text, self) }
      }
      if (message.type === 'text' && message.text !== undefined) return { kind: 'text', text: message.text.trim() }
      return { kind: 'unsupported', messageType: message.type }
    }
    default:
      return { kind: 'ignored', reason: `event:${event.type}` }
  }
}

function stripMentions(text: string, mentions: { index: number; length: number }[]): string {
  // LINE's indexes count UTF-16 code units, as JavaScript strings do.
  let out = text
  for (const m of [...mentions].sort((a, b) => b.index - a.index)) out = out.slice(0, m.index) + out.slice(m.index + m.length)
  return out.trim()
}
