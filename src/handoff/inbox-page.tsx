import { raw } from 'hono/html'
import type { Session } from '../console/auth.js'
import { formatDuration, formatTime, Layout } from '../console/layout.js'
import { isOverdue, type CaseRow, type InboxTab } from './cases.js'
import { REASON_LABELS } from './summary.js'

/** The consultant console's inbox (and its refusal page): plain functions of their props, server-rendered. */

const TAB_LABELS: Record<InboxTab, string> = { unassigned: '未指派', mine: '我的', all: '全部' }
export const STATUS_LABELS: Record<CaseRow['status'], string> = { intake: '填寫資料中', open: '處理中', resolved: '已結案' }

/** "Uabc123…89ef": enough to tell users apart without showing the whole LINE id. */
export const shortUserId = (id: string) => (id.length > 12 ? `${id.slice(0, 7)}…${id.slice(-4)}` : id)
export const companyOf = (c: CaseRow) => c.intake.company?.trim() || '（未提供公司名稱）'
export const reasonOf = (c: CaseRow) => REASON_LABELS[c.reason] ?? c.reason

function Waiting({ c, now }: { c: CaseRow; now: Date }) {
  if (c.status === 'resolved') return <span class="muted">結案於 {formatTime(c.resolvedAt)}</span>
  if (!c.waitingSince) return <span class="badge ok">已回覆</span>
  return <span>等待 {formatDuration(now.getTime() - c.waitingSince.getTime())}</span>
}

function CaseTable({ rows, now, showStatus }: { rows: CaseRow[]; now: Date; showStatus?: boolean }) {
  if (rows.length === 0) return <p class="muted">目前沒有案件。</p>
  return (
    <table class="responsive cases">
      <thead>
        <tr>
          <th>案件</th>
          <th>公司／使用者</th>
          <th>原因</th>
          <th>等待時間</th>
          <th>負責顧問</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr data-case={String(c.id)}>
            <td>
              <a href={`/console/cases/${c.id}`}>#{c.id}</a>
              {showStatus ? <span class="badge">{STATUS_LABELS[c.status]}</span> : null}
              {isOverdue(c, now) ? <span class="badge overdue">逾時未回覆</span> : null}
            </td>
            <td>
              {companyOf(c)}
              <br />
              <span class="muted">{shortUserId(c.userId)}</span>
            </td>
            <td>{reasonOf(c)}</td>
            <td>
              <Waiting c={c} now={now} />
            </td>
            <td>{c.assigneeName ?? <span class="muted">未指派</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

export function InboxPage(props: { session: Session; tab: InboxTab; rows: CaseRow[]; resolved: CaseRow[]; now: Date }) {
  const tabs: InboxTab[] = props.session.staff.role === 'pmo' ? ['unassigned', 'mine', 'all'] : ['unassigned', 'mine']
  return (
    <Layout title="案件" session={props.session}>
      <h1>案件</h1>
      <nav class="tabs" aria-label="案件分類">
        {tabs.map((t) => (
          <a href={`/console/cases?tab=${t}`} class={t === props.tab ? 'active' : ''} aria-current={t === props.tab ? 'page' : undefined}>
            {TAB_LABELS[t]}
          </a>
        ))}
      </nav>
      <style>{raw('.cases .badge{margin-left:.3rem}')}</style>
      <CaseTable rows={props.rows} now={props.now} showStatus={props.tab === 'all'} />
      {props.tab === 'all' ? (
        <>
          <h2>最近結案（7 天內）</h2>
          <CaseTable rows={props.resolved} now={props.now} />
        </>
      ) : null}
    </Layout>
  )
}

/** A refusal (403) or a missing case (404), as a page with the console's navigation. */
export function RefusedPage(props: { session: Session | undefined; message: string }) {
  return (
    <Layout title="無法開啟" session={props.session} error={props.message}>
      <p>
        <a href="/console/cases">← 回到案件列表</a>
      </p>
    </Layout>
  )
}
