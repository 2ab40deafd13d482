import { Hono } from 'hono'
import { sql } from 'drizzle-orm'
import { requireStaff, type ConsoleEnv } from '../console/auth.js'
import type { ConsoleDeps } from '../console/deps.js'
import { rowsOf } from '../db/types.js'
import { recentCampaigns } from '../outreach/campaigns.js'
import { toCsv } from './csv.js'
import { groupQuestions } from './grouping.js'
import { LearnPage } from './pages/learn.js'
import { answerSummary, caseStats, dailyActivity, gapQuestions, levelStats, topTopics } from './stats.js'


const DAY_CHOICES = [7, 30, 90, 365]
const daysOf = (q: string | undefined) => {
  const n = Number(q)
  return DAY_CHOICES.includes(n) ? n : 30
}

export const CSV_KINDS = ['daily', 'topics', 'gaps', 'cases', 'levels', 'changes', 'campaigns'] as const

/** Learn: unanswered questions grouped by similarity, statistics with charts, CSV export. */
export function learnRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const { db } = deps
  const app = new Hono<ConsoleEnv>()
  app.use('/learn', requireStaff('pmo'))
  app.use('/learn/*', requireStaff('pmo'))
  const window = (days: number) => {
    const now = deps.now?.() ?? new Date()
    return { now, since: new Date(now.getTime() - days * 86_400_000) }
  }

  app.get('/learn', async (c) => {
    const days = daysOf(c.req.query('days'))
    const { now, since } = window(days)
    const [summary, daily, topics, cases, levels, gaps, campaigns] = await Promise.all([
      answerSummary(db, since),
      dailyActivity(db, days, now),
      topTopics(db, since),
      caseStats(db, since),
      levelStats(db),
      gapQuestions(db, since),
      recentCampaigns(db, 10),
    ])
    const groups = groupQuestions(gaps)
    const titles = new Map(rowsOf<{ id: string; title: string }>(await db.execute(sql`SELECT id, title FROM kb_documents`)).map((r) => [r.id, r.title]))
    return c.html(<LearnPage session={c.get('session')!} days={days} groups={groups} view={{ summary, daily, topics, cases, levels, campaigns }} titles={titles} />)
  })

  app.get('/learn/export.csv', async (c) => {
    const kind = c.req.query('kind') as (typeof CSV_KINDS)[number]
    if (!CSV_KINDS.includes(kind)) return c.text(`kind 必須是 ${CSV_KINDS.join('、')} 之一`, 400)
    const days = daysOf(c.req.query('days'))
    const { now, since } = window(days)
    const csv = await exportCsv(kind, days, now, since)
    c.header('content-type', 'text/csv; charset=utf-8')
    c.header('content-disposition', `attachment; filename="dx-${kind}-${now.toISOString().slice(0, 10)}.csv"`)
    return c.body(csv)
  })

  async function exportCsv(kind: (typeof CSV_KINDS)[number], days: number, now: Date, since: Date): Promise<string> {
    switch (kind) {
      case 'daily':
        return toCsv(
          ['日期', '提問數', '可回答數', '可回答率', '沒幫助', '開案', '結案'],
          (await dailyActivity(db, days, now)).map((d) => [d.day, d.questions, d.covered, d.questions ? (d.covered / d.questions).toFixed(3) : '', d.unhelpful, d.casesOpened, d.casesResolved]),
        )
      case 'topics':
        return toCsv(['文件代號', '標題', '計畫', '引用次數'], (await topTopics(db, since, 100)).map((t) => [t.documentId, t.title, t.programme, t.answers]))
      case 'gaps':
        return toCsv(
          ['代表問題', '次數', '答不出來', '沒幫助', '最近提問', '其他問法'],
          groupQuestions(await gapQuestions(db, since)).map((g) => [
            g.representative,
            g.questions.length,
            g.notCovered,
            g.unhelpful,
            new Date(g.lastAskedAt).toISOString(),
            [...new Set(g.questions.slice(1).map((q) => q.question))].join(' ｜ '),
          ]),
        )
      case 'cases': {
        const s = await caseStats(db, since)
        return toCsv(
          ['項目', '數值'],
          [
            ['開案', s.opened],
            ['已結案', s.resolved],
            ['處理中', s.open],
            ['已回覆', s.responded],
            ['首次回覆平均（分鐘）', s.avgMinutes],
            ['首次回覆中位數（分鐘）', s.medianMinutes],
            ['首次回覆 90 百分位（分鐘）', s.p90Minutes],
            ...s.buckets.map((b) => [`首次回覆 ${b.label}`, b.cases]),
          ],
        )
      }
      case 'campaigns':
        return toCsv(
          ['活動', '標題', '狀態', '發送時間', '對象', '送達', '已封鎖', '點按按鈕', '7 天內提問', '7 天內完成健檢', '7 天內找顧問'],
          (await recentCampaigns(db, 500)).map((x) => [x.id, x.title, x.status, x.at.toISOString(), x.recipients, x.sent, x.blocked, x.tapped, x.asked, x.assessed, x.handedOff]),
        )
      case 'levels':
        return toCsv(['等級', '企業數'], (await levelStats(db)).distribution.map((l) => [l.level, l.users]))
      case 'changes': {
        const l = await levelStats(db)
        return toCsv(
          ['月份', '完成評測數', '平均等級', '再評測企業數', '再評測平均提升'],
          l.monthly.map((m) => [m.month, m.completed, m.avgLevel, m.retakers, m.avgGain]),
        )
      }
    }
  }

  return app
}
