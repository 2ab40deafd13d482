import { sql } from 'drizzle-orm'
import type { AssessmentDefinition } from '../assessment/definition.js'
import type { staff } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
import type { AssignmentRule } from './settings.js'

/**
 * Assignment by rules kept as data (handoff.yaml): the first rule matching the case's region and
 * industry names a pool (some usernames, or anyone); within it, consultants whose own regions and
 * industries fit the case; of those, the one with the fewest open cases. No fit: unassigned.
 */

/**
 * What a case is about, each as every name it goes by: the assessment's option value, its label and
 * its aliases ("central", "中部", "臺中"…), because consultants' regions and industries are typed
 * freely in the console ("臺中市", "製造業") and rules may use either form. Undefined: unknown.
 */
export interface CaseProfile {
  region?: string[]
  industry?: string[]
}

export interface Consultant {
  id: string
  username: string
  regions: string[]
  industries: string[]
  /** Cases in intake or open assigned to them. */
  openCases: number
}

/**
 * An empty list accepts anything; an unknown case value is accepted too (we cannot tell it does not
 * fit). An entry fits when it is one of the names or contains one ("臺中市" contains "臺中").
 */
export function fits(list: string[], names: string[] | undefined): boolean {
  if (list.length === 0 || names === undefined || names.length === 0) return true
  return list.some((entry) => names.some((n) => entry === n || entry.includes(n)))
}

export function ruleFor(rules: AssignmentRule[], profile: CaseProfile): AssignmentRule | undefined {
  return rules.find((r) => fits(r.when.regions, profile.region) && fits(r.when.industries, profile.industry))
}

/** The consultant a new case goes to, or undefined to leave it unassigned. */
export function pickConsultant(rules: AssignmentRule[], profile: CaseProfile, consultants: Consultant[]): Consultant | undefined {
  const rule = ruleFor(rules, profile)
  if (rules.length > 0 && !rule) return undefined
  const pool = rule && rule.consultants.length > 0 ? consultants.filter((c) => rule.consultants.includes(c.username.toLowerCase())) : consultants
  return pool
    .filter((c) => fits(c.regions, profile.region) && fits(c.industries, profile.industry))
    .sort((a, b) => a.openCases - b.openCases || a.username.localeCompare(b.username))[0]
}

/** Active consultants with their current load. */
export async function loadConsultants(db: Db): Promise<Consultant[]> {
  const rows = rowsOf<RawRow<Pick<typeof staff.$inferSelect, 'id' | 'username' | 'regions' | 'industries'>> & { open_cases: number }>(
    await db.execute(sql`
      SELECT s.id, s.username, s.regions, s.industries,
        (SELECT count(*) FROM cases c WHERE c.assignee_id = s.id AND c.status IN ('intake', 'open')) AS open_cases
      FROM staff s WHERE s.role = 'consultant' AND s.active`),
  )
  // jsonb the console wrote; kept to strings in case a hand-edited row holds something else.
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])
  return rows.map((r) => ({ id: r.id, username: r.username, regions: list(r.regions), industries: list(r.industries), openCases: r.open_cases }))
}

/**
 * The case's region and industry from the company profile of the user's assessment (the one the case
 * came from, else the latest one that has them), with every name the definition knows them by.
 */
export async function loadCaseProfile(db: Db, userId: string, assessmentId: string | null, definition?: AssessmentDefinition): Promise<CaseProfile> {
  const rows = rowsOf<{ region: string | null; industry: string | null }>(
    await db.execute(sql`
      SELECT answers->'region'->>'option' AS region, answers->'industry'->>'option' AS industry
      FROM assessments
      WHERE user_id = ${userId} AND (answers->'region'->>'option' IS NOT NULL OR answers->'industry'->>'option' IS NOT NULL)
      ORDER BY (id = ${assessmentId}::uuid) IS TRUE DESC, updated_at DESC
      LIMIT 1`),
  )
  const r = rows[0]
  const names = (fact: 'region' | 'industry', value: string | null | undefined): string[] | undefined => {
    if (!value) return undefined
    const question = definition?.profile.find((q) => q.fact === fact)
    const option = question?.options.find((o) => o.value === value)
    return option ? [value, option.label, ...option.aliases] : [value]
  }
  const profile: CaseProfile = {}
  const region = names('region', r?.region)
  const industry = names('industry', r?.industry)
  if (region) profile.region = region
  if (industry) profile.industry = industry
  return profile
}
