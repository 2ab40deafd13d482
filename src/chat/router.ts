import { copy } from './copy.js'
import { menuItems, postbackItem, text } from './messages.js'
import { createDispatcher, MENU_WORDS } from './dispatch.js'
import type { Route } from './types.js'

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

/** The dispatcher over the given routes (see dispatch.ts). */
export const createRouter = createDispatcher
