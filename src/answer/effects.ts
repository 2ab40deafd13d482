import { sql } from 'drizzle-orm'
import type { EffectAppliers } from '../chat/types.js'

/** An answer as the PMO's statistics keep it (the answers table). */
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

declare module '../chat/types.js' {
  interface FeatureEffects {
    answer: { type: 'record-answer'; answer: RecordedAnswer } | { type: 'answer-feedback'; answerId: string; value: 'helpful' | 'unhelpful' }
  }
}

export const answerEffects: EffectAppliers = {
  'record-answer': async (db, { answer: a }, at) => {
    await db.execute(sql`
      INSERT INTO answers (id, conversation_id, user_id, question, search_query, answer_text, citations, covered, mode, latency_ms)
      VALUES (${a.id}, ${at.conversationId ?? null}, ${at.userId ?? null}, ${a.question}, ${a.searchQuery}, ${a.answerText},
        ${JSON.stringify(a.citations)}::jsonb, ${a.covered}, ${a.mode}, ${a.latencyMs})
      ON CONFLICT (id) DO NOTHING`)
  },
  'answer-feedback': async (db, effect, at) => {
    // Only the user who got the answer can rate it.
    await db.execute(sql`UPDATE answers SET feedback = ${effect.value}, feedback_at = now() WHERE id = ${effect.answerId} AND user_id IS NOT DISTINCT FROM ${at.userId ?? null}`)
  },
}
