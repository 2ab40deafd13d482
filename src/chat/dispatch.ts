import type { LineMessage } from '../line/limits.js'
import { copy } from './copy.js'
import { menuItems, text } from './messages.js'
import type { ChatContext, ChatInput, ConversationFacts, ConversationMode, ModeReader, Outcome, Route } from './types.js'

/**
 * The one dispatcher: first the conversation's mode — the first registered `ModeReader` that
 * answers, else 'idle' — put on the context once; then the bot's routes in their priority order
 * (both lists written once, in src/bot.ts), each returning an outcome when it takes the input.
 * Features that hold the conversation (an open assessment, a consultant intake) pass what they
 * cannot use to `rest` — the routes after them — through `firstOutcome` too, so the order lives in
 * one list.
 */

/** The conversation's mode: what the first reader that answers says, else 'idle'. */
export async function modeOf(readers: readonly ModeReader[], facts: ConversationFacts): Promise<ConversationMode> {
  for (const read of readers) {
    const mode = await read(facts)
    if (mode) return mode
  }
  return 'idle'
}

/** The outcome of the first route that takes the input, if any. */
export async function firstOutcome(routes: readonly Route[], input: ChatInput, ctx: ChatContext): Promise<Outcome | undefined> {
  for (const route of routes) {
    const outcome = await route(input, ctx)
    if (outcome) return outcome
  }
  return undefined
}

/** Several routes as one, tried in order. */
export function anyOf(routes: readonly Route[]): Route {
  return (input, ctx) => firstOutcome(routes, input, ctx)
}

/** Last resort: the input was understood by no route. */
function fallback(input: ChatInput): Outcome {
  if (input.kind === 'postback') return { intent: 'not-yet', replies: [text(copy.notYet, menuItems())] }
  return { intent: 'unknown', replies: [text(copy.unknownInput, menuItems())] }
}

/** The dispatcher over the routes, with the conversation's mode from `modes`: every input gets an outcome. */
export function createDispatcher(routes: readonly Route[], modes: readonly ModeReader[] = []): (input: ChatInput, facts: ConversationFacts) => Promise<Outcome> {
  return async (input, facts) => {
    const ctx: ChatContext = { ...facts, mode: await modeOf(modes, facts) }
    return (await firstOutcome(routes, input, ctx)) ?? fallback(input)
  }
}

type QuickReplyItems = NonNullable<Extract<LineMessage, { type: 'text' }>['quickReply']>['items']

/**
 * Another route's answer, then the prompt the conversation is waiting on (the current assessment or
 * intake question), which keeps the answer's quick replies after its own. LINE takes five messages
 * per reply, so the answer keeps at most four.
 */
export function followedBy(other: Outcome, intent: string, prompt: (keep: QuickReplyItems) => LineMessage): Outcome {
  const last = other.replies.at(-1)
  const keep = last && 'quickReply' in last && last.quickReply ? last.quickReply.items : []
  return { ...other, intent: `${other.intent}+${intent}`, replies: [...other.replies.slice(0, 4), prompt(keep)] }
}

/** Texts that ask something rather than answer the question the bot is waiting on. */
export const QUESTION = /[?？嗎呢]|什麼|甚麼|多少|怎麼|如何|哪裡|哪些|哪個|為什麼|能不能|可不可以|是否|請問|要不要/
/** Words that open the menu, whatever the conversation is doing. */
export const MENU_WORDS = /^(選單|menu|功能|help|幫助|開始|hi|hello|你好|您好|哈囉|嗨)$/i
