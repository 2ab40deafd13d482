import type { messagingApi } from '@line/bot-sdk'
import type { LineMessage } from '../line/limits.js'
import { copy } from './copy.js'

type QuickReplyItem = messagingApi.QuickReplyItem

export function postbackItem(label: string, data: string, displayText: string = label): QuickReplyItem {
  return { type: 'action', action: { type: 'postback', label, data, displayText } }
}

export function messageItem(label: string, text: string = label): QuickReplyItem {
  return { type: 'action', action: { type: 'message', label, text } }
}

export function text(body: string, quickReplies?: QuickReplyItem[]): LineMessage {
  return quickReplies && quickReplies.length > 0 ? { type: 'text', text: body, quickReply: { items: quickReplies.slice(0, 13) } } : { type: 'text', text: body }
}

/** The main menu's quick replies. */
export function menuItems(): QuickReplyItem[] {
  return [
    postbackItem(copy.quick.ask, 'action=ask'),
    postbackItem(copy.quick.assess, 'action=assess'),
    postbackItem(copy.quick.consultant, 'action=consultant'),
    postbackItem(copy.quick.subscribe, 'action=subscribe'),
    postbackItem(copy.quick.myData, 'action=my-data'),
  ]
}

/** A plain-text rendering of any message, for the transcript and logs at debug level. */
export function plainText(m: LineMessage): string {
  switch (m.type) {
    case 'text':
      return m.text
    case 'flex':
      return m.altText
    case 'template':
      return m.altText
    default:
      return `[${m.type}]`
  }
}

/**
 * What the user saw on the button that sent `data`: the displayText or label of the postback action
 * carrying it in one of `shown` (the bot's recent messages, newest first; quick replies, Flex and
 * template buttons alike). LINE's postback event carries only the data.
 */
export function tappedLabel(shown: unknown[], data: string): string | undefined {
  const find = (node: unknown): string | undefined => {
    if (Array.isArray(node)) {
      for (const item of node) {
        const found = find(item)
        if (found) return found
      }
      return undefined
    }
    if (typeof node !== 'object' || node === null) return undefined
    const o = node as Record<string, unknown>
    if (o.type === 'postback' && o.data === data) {
      const seen = [o.displayText, o.label].find((v): v is string => typeof v === 'string' && v.trim() !== '')
      if (seen) return seen
    }
    return find(Object.values(o))
  }
  return find(shown)
}
