import type { CaseEffect } from '../handoff/state.js'
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

export interface ChatContext {
  chatType: 'user' | 'group' | 'room'
  chatId: string
  userId: string | undefined
  /** Feature state of this conversation (assessment, handoff…), as stored. */
  state: Record<string, unknown>
  now: Date
  /** The event's reply token, for a handoff that keeps it for a consultant's reply instead of using it. */
  replyToken?: string
}

/** Side effects a step asks for; the worker applies them in the same transaction as the replies. */
export type Effect =
  | { type: 'set-user-status'; status: 'active' | 'inactive' }
  | { type: 'delete-user-data' }
  /** Replaces one feature's slice of the conversation state (null removes it). */
  | { type: 'patch-state'; key: string; value: unknown }
  | { type: 'record-answer'; answer: RecordedAnswer }
  | { type: 'answer-feedback'; answerId: string; value: 'helpful' | 'unhelpful' }
  /** Inserts or updates one assessment of the current user (by id). */
  | { type: 'save-assessment'; assessment: SavedAssessment }
  /** Handoff to a consultant (see src/handoff/state.ts). */
  | CaseEffect

export interface Outcome {
  replies: LineMessage[]
  effects?: Effect[]
  /** A short label for logs and statistics (e.g. "menu", "welcome"). */
  intent: string
}

/** One capability: returns an outcome when it takes the input, undefined to let the next route try. */
export type Route = (input: ChatInput, ctx: ChatContext) => Promise<Outcome | undefined> | Outcome | undefined

export interface RecordedAnswer {
  id: string
  question: string
  searchQuery: string
  answerText: string
  citations: unknown[]
  covered: boolean
  mode: 'extractive' | 'generative'
  latencyMs: number
}

export interface SavedAssessment {
  id: string
  version: string
  status: 'in_progress' | 'completed' | 'cancelled' | 'expired'
  position: number
  answers: Record<string, unknown>
  result: unknown
  overallLevel: number | null
  /** ISO timestamps. */
  startedAt: string
  updatedAt: string
}
