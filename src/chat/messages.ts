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
    messageItem(copy.quick.deleteData),
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
