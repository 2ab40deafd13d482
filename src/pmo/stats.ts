import { sql } from 'drizzle-orm'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import type { GapQuestion } from './grouping.js'

/**
 * The PMO statistics, each one SQL query over the operational tables (answers, cases, assessments).
 * Days are Taipei calendar days. Every function returns plain rows, so the page and the CSV export
 * show the same numbers.
 */

const TZ = 'Asia/Taipei'
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v))

export interface DailyRow {
  day: string
  questions: number
  covered: number
  unhelpful: number
  casesOpened: number
  casesResolved: number
}

export async function dailyActivity(db: Db, days: number, now = new Date()): Promise<DailyRow[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      WITH d AS (
        SELECT to_char(g, 'YYYY-MM-DD') AS day
        FROM generate_series((${now.toISOString()}::timestamptz AT TIME ZONE ${TZ})::date - ${days - 1}::int, (${now.toISOString()}::timestamptz AT TIME ZONE ${TZ})::date, interval '1 day') g
      ),
      a AS (
        SELECT to_char(created_at AT TIME ZONE ${TZ}, 'YYYY-MM-DD') AS day, count(*) AS questions,
          count(*) FILTER (WHERE covered) AS covered, count(*) FILTER (WHERE feedback = 'unhelpful') AS unhelpful
        FROM answers GROUP BY 1
      ),
      o AS (SELECT to_char(opened_at AT TIME ZONE ${TZ}, 'YYYY-MM-DD') AS day, count(*) AS n FROM cases WHERE opened_at IS NOT NULL GROUP BY 1),
      r AS (SELECT to_char(resolved_at AT TIME ZONE ${TZ}, 'YYYY-MM-DD') AS day, count(*) AS n FROM cases WHERE resolved_at IS NOT NULL GROUP BY 1)
      SELECT d.day, a.questions, a.covered, a.unhelpful, o.n AS opened, r.n AS resolved
      FROM d LEFT JOIN a ON a.day = d.day LEFT JOIN o ON o.day = d.day LEFT JOIN r ON r.day = d.day
      ORDER BY d.day`),
  )
  return rows.map((r) => ({
    day: String(r.day),
    questions: num(r.questions),
    covered: num(r.covered),
    unhelpful: num(r.unhelpful),
    casesOpened: num(r.opened),
    casesResolved: num(r.resolved),
  }))
}

export interface Summary {
  questions: number
  covered: number
  helpful: number
  unhelpful: number
  /** covered / questions, 0–1 (null without questions). */
  coverage: number | null
}

export async function answerSummary(db: Db, since: Date): Promise<Summary> {
  const r = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT count(*) AS questions, count(*) FILTER (WHERE covered) AS covered,
        count(*) FILTER (WHERE feedback = 'helpful') AS helpful, count(*) FILTER (WHERE feedback = 'unhelpful') AS unhelpful
      FROM answers WHERE created_at >= ${since.toISOString()}::timestamptz`),
  )[0]!
  const questions = num(r.questions)
  return { questions, covered: num(r.covered), helpful: num(r.helpful), unhelpful: num(r.unhelpful), coverage: questions ? num(r.covered) / questions : null }
}

export interface TopicRow {
  documentId: string
  title: string
  programme: string | null
  answers: number
}

/** Topics by the documents answers cited (each answer counts once per document). */
export async function topTopics(db: Db, since: Date, limit = 10): Promise<TopicRow[]> {
  return rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      WITH cited AS (
        SELECT DISTINCT a.id, c->>'documentId' AS doc, c->>'title' AS title
        FROM answers a, jsonb_array_elements(a.citations) c
        WHERE a.created_at >= ${since.toISOString()}::timestamptz AND c->>'documentId' IS NOT NULL
      )
      SELECT cited.doc, coalesce(d.title, max(cited.title)) AS title, d.programme, count(DISTINCT cited.id) AS n
      FROM cited LEFT JOIN kb_documents d ON d.id = cited.doc
      GROUP BY cited.doc, d.title, d.programme ORDER BY n DESC, cited.doc LIMIT ${limit}`),
  ).map((r) => ({ documentId: String(r.doc), title: String(r.title ?? r.doc), programme: (r.programme as string | null) ?? null, answers: num(r.n) }))
}

export interface CaseStats {
  opened: number
  resolved: number
  open: number
  responded: number
  /** Minutes from opening to the first consultant reply. */
  avgMinutes: number | null
  medianMinutes: number | null
  p90Minutes: number | null
  /** Response-time histogram: bucket label → cases. */
  buckets: { label: string; cases: number }[]
}

export async function caseStats(db: Db, since: Date): Promise<CaseStats> {
  const r = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      WITH c AS (SELECT *, extract(epoch FROM (first_response_at - opened_at)) / 60 AS minutes FROM cases WHERE opened_at >= ${since.toISOString()}::timestamptz)
      SELECT count(*) AS opened, count(*) FILTER (WHERE status = 'resolved') AS resolved, count(*) FILTER (WHERE status = 'open') AS open,
        count(minutes) AS responded, avg(minutes) AS avg, percentile_cont(0.5) WITHIN GROUP (ORDER BY minutes) AS median,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY minutes) AS p90,
        count(*) FILTER (WHERE minutes < 30) AS b0, count(*) FILTER (WHERE minutes >= 30 AND minutes < 120) AS b1,
        count(*) FILTER (WHERE minutes >= 120 AND minutes < 480) AS b2, count(*) FILTER (WHERE minutes >= 480 AND minutes < 1440) AS b3,
        count(*) FILTER (WHERE minutes >= 1440) AS b4
      FROM c`),
  )[0]!
  const round = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10)
  return {
    opened: num(r.opened),
    resolved: num(r.resolved),
    open: num(r.open),
    responded: num(r.responded),
    avgMinutes: round(r.avg),
    medianMinutes: round(r.median),
    p90Minutes: round(r.p90),
    buckets: [
      { label: '30 分鐘內', cases: num(r.b0) },
      { label: '30 分–2 小時', cases: num(r.b1) },
      { label: '2–8 小時', cases: num(r.b2) },
      { label: '8–24 小時', cases: num(r.b3) },
      { label: '超過 1 天', cases: num(r.b4) },
    ],
  }
}

export interface LevelStats {
  /** Each firm's latest completed assessment, by overall level 1–5. */
  distribution: { level: number; users: number }[]
  /** Firms with at least two completed assessments: latest minus first level. */
  changes: { delta: number; users: number }[]
  retakers: number
  /** Retakers who gained at least one level (the programmes' "+1 level" KPI). */
  improved: number
  /** By month of the latest completion: average level of completions and retakers' average gain. */
  monthly: { month: string; completed: number; avgLevel: number | null; retakers: number; avgGain: number | null }[]
}

export async function levelStats(db: Db): Promise<LevelStats> {
  const per = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      WITH done AS (
        SELECT user_id, overall_level, completed_at,
          row_number() OVER (PARTITION BY user_id ORDER BY completed_at ASC) AS first_n,
          row_number() OVER (PARTITION BY user_id ORDER BY completed_at DESC) AS last_n,
          count(*) OVER (PARTITION BY user_id) AS n
        FROM assessments WHERE status = 'completed' AND overall_level IS NOT NULL AND completed_at IS NOT NULL
      )
      SELECT l.user_id, l.overall_level AS latest, f.overall_level AS first, l.n, to_char(l.completed_at AT TIME ZONE ${TZ}, 'YYYY-MM') AS month
      FROM done l JOIN done f ON f.user_id = l.user_id AND f.first_n = 1
      WHERE l.last_n = 1`),
  )
  const monthlyCompleted = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT to_char(completed_at AT TIME ZONE ${TZ}, 'YYYY-MM') AS month, count(*) AS n, avg(overall_level) AS avg
      FROM assessments WHERE status = 'completed' AND overall_level IS NOT NULL AND completed_at IS NOT NULL GROUP BY 1 ORDER BY 1`),
  )
  const distribution = [1, 2, 3, 4, 5].map((level) => ({ level, users: per.filter((p) => num(p.latest) === level).length }))
  const retakers = per.filter((p) => num(p.n) >= 2)
  const deltas = new Map<number, number>()
  for (const p of retakers) {
    const d = num(p.latest) - num(p.first)
    deltas.set(d, (deltas.get(d) ?? 0) + 1)
  }
  const monthly = monthlyCompleted.map((m) => {
    const mine = retakers.filter((p) => p.month === m.month)
    return {
      month: String(m.month),
      completed: num(m.n),
      avgLevel: m.avg === null ? null : Math.round(Number(m.avg) * 100) / 100,
      retakers: mine.length,
      avgGain: mine.length ? Math.round((mine.reduce((s, p) => s + num(p.latest) - num(p.first), 0) / mine.length) * 100) / 100 : null,
    }
  })
  return {
    distribution,
    changes: [...deltas.entries()].sort((a, b) => a[0] - b[0]).map(([delta, users]) => ({ delta, users })),
    retakers: retakers.length,
    improved: retakers.filter((p) => num(p.latest) - num(p.first) >= 1).length,
    monthly,
  }
}

/** Questions the bot declined and answers marked 沒幫助, newest first. */
export async function gapQuestions(db: Db, since: Date, limit = 2000): Promise<GapQuestion[]> {
  return rowsOf<{ id: string; question: string; covered: boolean; feedback: string | null; created_at: string | Date; citations: unknown }>(
    await db.execute(sql`
      SELECT id, question, covered, feedback, created_at, citations FROM answers
      WHERE (covered = false OR feedback = 'unhelpful') AND created_at >= ${since.toISOString()}::timestamptz AND question <> ''
      ORDER BY created_at DESC LIMIT ${limit}`),
  ).map((r) => {
    const citations = r.citations as { documentId?: string }[]
    return {
      id: r.id,
      question: r.question,
      reason: r.covered ? 'unhelpful' : 'not-covered',
      createdAt: r.created_at,
      citedDocuments: [...new Set(citations.map((c) => c.documentId).filter((d): d is string => typeof d === 'string'))],
    }
  })
}
