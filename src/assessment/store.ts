import { and, desc, eq, inArray, sql } from 'drizzle-orm'
import type { EffectAppliers } from '../chat/types.js'
import { assessments, kbDocuments } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { stateSchema, type AssessmentState } from './state.js'
import type { DocumentRef } from './result-card.js'

/** An assessment as the save-assessment effect writes it (the assessments table). */
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

declare module '../chat/types.js' {
  interface FeatureEffects {
    /** Inserts or updates one assessment of the current user (by id). */
    assessment: { type: 'save-assessment'; assessment: SavedAssessment }
  }
}

export const assessmentEffects: EffectAppliers = {
  'save-assessment': async (db, { assessment: a }, at) => {
    // The owner is the user of this event, never a value from the step.
    if (!at.userId) return
    const result = a.result === undefined || a.result === null ? null : JSON.stringify(a.result)
    await db.execute(sql`
      INSERT INTO assessments (id, user_id, version, status, position, answers, result, overall_level, started_at, updated_at, completed_at)
      VALUES (${a.id}, ${at.userId}, ${a.version}, ${a.status}, ${a.position}, ${JSON.stringify(a.answers)}::jsonb, ${result}::jsonb,
        ${a.overallLevel}, ${a.startedAt}::timestamptz, ${a.updatedAt}::timestamptz, ${a.status === 'completed' ? a.updatedAt : null}::timestamptz)
      ON CONFLICT (id) DO UPDATE SET status = excluded.status, position = excluded.position, answers = excluded.answers, result = excluded.result,
        overall_level = excluded.overall_level, updated_at = excluded.updated_at, completed_at = excluded.completed_at
      WHERE assessments.user_id = excluded.user_id`)
  },
}
import type { AssessmentResult, PreviousResult } from './scoring.js'

/** Reads assessments for the route; writes go through the `save-assessment` effect in the event's transaction. */

type Row = typeof assessments.$inferSelect

function stateOf(row: Row): AssessmentState | undefined {
  const parsed = stateSchema.safeParse({
    id: row.id,
    version: row.version,
    status: row.status,
    position: row.position,
    answers: row.answers,
    startedAt: row.startedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    result: row.result ?? undefined,
  })
  return parsed.success ? (parsed.data as AssessmentState) : undefined
}

/** The user's open assessment (whether or not it has expired by now). */
export async function loadOpen(db: Db, userId: string): Promise<AssessmentState | undefined> {
  const rows = await db
    .select()
    .from(assessments)
    .where(and(eq(assessments.userId, userId), eq(assessments.status, 'in_progress')))
    .limit(1)
  return rows[0] ? stateOf(rows[0]) : undefined
}

/** The latest completed result, for "since last time". */
export async function loadPrevious(db: Db, userId: string): Promise<PreviousResult | undefined> {
  const rows = await db
    .select({ completedAt: assessments.completedAt, result: assessments.result })
    .from(assessments)
    .where(and(eq(assessments.userId, userId), eq(assessments.status, 'completed')))
    .orderBy(desc(assessments.completedAt))
    .limit(1)
  const row = rows[0]
  const result = row?.result as Partial<AssessmentResult> | null | undefined
  if (!row?.completedAt || !result?.overall || !Array.isArray(result.functions)) return undefined
  return { completedAt: row.completedAt.toISOString(), result: { overall: result.overall, functions: result.functions } }
}

/** Titles and dates of indexed knowledge documents, by id. */
export async function loadDocumentRefs(db: Db, ids: string[]): Promise<Record<string, DocumentRef>> {
  if (ids.length === 0) return {}
  const rows = await db.select({ id: kbDocuments.id, title: kbDocuments.title, sourceDate: kbDocuments.sourceDate }).from(kbDocuments).where(inArray(kbDocuments.id, ids))
  return Object.fromEntries(rows.map((r) => [r.id, { title: r.title, sourceDate: r.sourceDate }]))
}

export function toSaved(state: AssessmentState): SavedAssessment {
  return {
    id: state.id,
    version: state.version,
    status: state.status,
    position: state.position,
    answers: state.answers,
    result: state.result ?? null,
    overallLevel: state.result?.overall.level ?? null,
    startedAt: state.startedAt,
    updatedAt: state.updatedAt,
  }
}
