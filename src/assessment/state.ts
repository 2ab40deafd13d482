import { z } from 'zod'
import type { AssessmentResult, StoredAnswer } from './scoring.js'

/** One user's assessment as stored (assessment_sessions.state): the flow's steps read and return it. */
const rangeSchema = z.object({ min: z.number(), max: z.number().nullable() })
const storedAnswerSchema = z.union([
  z.object({ skipped: z.literal(true) }),
  z.object({ level: z.number().int().min(1).max(5) }),
  z.object({ amount: rangeSchema }),
  z.object({ option: z.string() }),
])

export const stateSchema = z.object({
  id: z.uuid(),
  version: z.string(),
  status: z.enum(['in_progress', 'completed', 'cancelled', 'expired']),
  position: z.number().int().nonnegative(),
  answers: z.record(z.string(), storedAnswerSchema),
  startedAt: z.string(),
  updatedAt: z.string(),
  result: z.unknown().optional(),
})
export interface AssessmentState extends Omit<z.infer<typeof stateSchema>, 'answers' | 'result'> {
  answers: Record<string, StoredAnswer>
  result?: AssessmentResult
}

