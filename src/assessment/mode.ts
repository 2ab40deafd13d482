import type { ConversationMode, ModeReader } from '../chat/types.js'
import type { Db } from '../db/types.js'
import type { AssessmentDefinition } from './definition.js'
import { isExpired } from './flow.js'
import type { AssessmentState } from './state.js'
import { loadOpen } from './store.js'

/**
 * 'assessing' while the user's assessment is unfinished and not expired — what the route treats as
 * open (texts are tried as answers) — else undefined.
 */
export function assessmentMode(open: AssessmentState | undefined, def: AssessmentDefinition, now: Date): Extract<ConversationMode, 'assessing'> | undefined {
  return open?.status === 'in_progress' && !isExpired(def, open, now) ? 'assessing' : undefined
}

/**
 * The assessment's mode reader. The assessment keeps no slice of the conversation state (its table
 * is its only record), so the reader asks the table for the user's open assessment; it runs only
 * when no reader before it answered. Only 1:1 chats hold an assessment.
 */
export function assessmentModeReader(deps: { db: Db; definition: AssessmentDefinition }): ModeReader {
  return async (facts) => {
    if (facts.chatType !== 'user' || !facts.userId) return undefined
    return assessmentMode(await loadOpen(deps.db, facts.userId), deps.definition, facts.now)
  }
}
