import { copy } from './copy.js'
import { menuItems, postbackItem, text } from './messages.js'
import type { ChatContext, ChatInput, Outcome, Route } from './types.js'

const MENU_WORDS = /^(選單|menu|功能|help|幫助|開始|hi|hello|你好|您好|哈囉|嗨)$/i
const DELETE_WORDS = /^(刪除我的資料|刪除資料|刪除個資)$/

export function parsePostback(data: string): URLSearchParams {
  return new URLSearchParams(data)
}

/** The routes every deployment has: welcome, menu, data deletion and polite fallbacks. */
export const coreRoutes: Route[] = [
  (input) => {
    if (input.kind === 'follow') {
      return {
        intent: 'welcome',
        replies: [text(copy.welcome), text(copy.privacy, menuItems())],
        effects: [{ type: 'set-user-status', status: 'active' }],
      }
    }
    if (input.kind === 'unfollow') return { intent: 'unfollow', replies: [], effects: [{ type: 'set-user-status', status: 'inactive' }] }
    if (input.kind === 'join') return { intent: 'join', replies: [text(copy.groupJoin)] }
    if (input.kind === 'ignored') return { intent: 'ignored', replies: [] }
    return undefined
  },
  (input, ctx) => {
    const action = input.kind === 'postback' ? parsePostback(input.data).get('action') : undefined
    const asked = input.kind === 'text' && DELETE_WORDS.test(input.text)
    if (asked || action === 'delete-data') {
      return {
        intent: 'delete-data-confirm',
        replies: [text(copy.deleteConfirm, [postbackItem(copy.quick.confirmDelete, 'action=delete-data-confirm'), postbackItem(copy.quick.cancel, 'action=delete-data-cancel')])],
      }
    }
    if (action === 'delete-data-confirm' && ctx.userId) {
      return { intent: 'delete-data', replies: [text(copy.deleteDone)], effects: [{ type: 'delete-user-data' }] }
    }
    if (action === 'delete-data-cancel') return { intent: 'delete-data-cancel', replies: [text(copy.deleteCancelled, menuItems())] }
    return undefined
  },
  (input) => {
    const action = input.kind === 'postback' ? parsePostback(input.data).get('action') : undefined
    if ((input.kind === 'text' && MENU_WORDS.test(input.text)) || action === 'menu') {
      return { intent: 'menu', replies: [text(copy.menuIntro, menuItems())] }
    }
    if (input.kind === 'unsupported') {
      const body = input.messageType === 'sticker' ? copy.unsupportedMessage.sticker : input.messageType === 'image' ? copy.unsupportedMessage.image : copy.unsupportedMessage.other
      return { intent: 'unsupported', replies: [text(body, menuItems())] }
    }
    return undefined
  },
]

/** Last resort: the input was understood by no route. */
function fallback(input: ChatInput): Outcome {
  if (input.kind === 'postback') return { intent: 'not-yet', replies: [text(copy.notYet, menuItems())] }
  return { intent: 'unknown', replies: [text(copy.unknownInput, menuItems())] }
}

/** Tries the routes in order; feature routes go before the core ones' fallbacks. */
export function createRouter(routes: Route[]): (input: ChatInput, ctx: ChatContext) => Promise<Outcome> {
  return async (input, ctx) => {
    for (const route of routes) {
      const outcome = await route(input, ctx)
      if (outcome) return outcome
    }
    return fallback(input)
  }
}
