import type { Db } from '../db/types.js'
import type { LineMessage } from '../line/limits.js'

/** What the user did, independent of LINE's event shapes. */
export type ChatInput =
  | { kind: 'follow' }
  | { kind: 'unfollow' }
  | { kind: 'join' }
  | { kind: 'text'; text: string }
  | { kind: 'postback'; data: string; params?: Record<string, string> }
  | { kind: 'unsupported'; messageType: string }
  /** Stored but not answered: group chatter without a mention, standby mode, other event types. */
  | { kind: 'ignored'; reason: string }

/**
 * Who holds the conversation, in the kernel's own words (features map their state onto these; see
 * `ModeReader`): nobody, an unfinished assessment, a consultant handoff collecting its details, or a
 * consultant who has the chat.
 */
export type ConversationMode = 'idle' | 'assessing' | 'intake' | 'with-consultant'

/** What the inbox knows of an event's conversation: the dispatcher adds the mode (ChatContext). */
export interface ConversationFacts {
  chatType: 'user' | 'group' | 'room'
  chatId: string
  userId: string | undefined
  /** Feature state of this conversation (handoff, firm…), as stored. */
  state: Record<string, unknown>
  now: Date
  /** The event's reply token, for a handoff that keeps it for a consultant's reply instead of using it. */
  replyToken?: string
}

/** What a route sees: the conversation's facts and its mode, read once per input before any route runs. */
export interface ChatContext extends ConversationFacts {
  mode: ConversationMode
}

/**
 * How one feature tells whether it holds the conversation: its mode, or undefined when it does not.
 * A feature that keeps a slice of the state reads the slice (no query); one that keeps none may ask
 * its table. Registered at the composition root in one list; the first that answers names the mode.
 */
export type ModeReader = (facts: ConversationFacts) => ConversationMode | undefined | Promise<ConversationMode | undefined>

/** Effects every conversation has; the inbox applies them itself. */
export type CoreEffect =
  | { type: 'set-user-status'; status: 'active' | 'inactive' }
  /** Replaces one feature's slice of the conversation state (null removes it). */
  | { type: 'patch-state'; key: string; value: unknown }
  /** 刪除我的資料: applied by the privacy feature, which knows every table that names the user. */
  | { type: 'delete-user-data' }

/**
 * Effects a feature asks for, declared by the feature itself (module augmentation of this
 * interface: `declare module '../chat/types.js' { interface FeatureEffects { … } }`), so the kernel
 * knows their shapes without importing any feature. Each entry is one effect type or a union.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by augmentation
export interface FeatureEffects {}

/** Side effects a step asks for; the worker applies them in the same transaction as the replies. */
export type Effect = CoreEffect | FeatureEffects[keyof FeatureEffects]

/** Whose event an effect belongs to; an applier never takes the user from the effect itself. */
export interface EffectTarget {
  userId: string | undefined
  conversationId: number | undefined
  now: Date
}

/** How each effect type is written, registered by the features at the composition root. */
export type EffectAppliers = { [T in Effect['type']]?: (db: Db, effect: Extract<Effect, { type: T }>, at: EffectTarget) => Promise<void> }

export interface Outcome {
  replies: LineMessage[]
  effects?: Effect[]
  /** A short label for logs and statistics (e.g. "menu", "welcome"). */
  intent: string
}

/** One capability: returns an outcome when it takes the input, undefined to let the next route try. */
export type Route = (input: ChatInput, ctx: ChatContext) => Promise<Outcome | undefined> | Outcome | undefined
