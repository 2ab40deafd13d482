import { raw } from 'hono/html'
import type { Session } from '../console/auth.js'
import { CsrfField, formatTime, Layout } from '../console/layout.js'
import type { AssessmentDefinition } from '../assessment/definition.js'
import type { CannedReply } from './canned.js'
import { isOverdue, type CaseContext, type CaseRow, type ThreadMessage } from './cases.js'
import { Thread } from './thread-view.js'
import { functionName, levelName } from './summary.js'
import { NOTE_MAX_CHARS, REPLY_MAX_CHARS } from './case-actions.js'
import { companyOf, reasonOf, shortUserId, STATUS_LABELS } from './inbox-page.js'

/** The case page: context on top, the live thread, reply box, notes and actions below. */

export interface CasePageProps {
  session: Session
  c: CaseRow
  ctx: CaseContext
  summary: { text: string; source: 'llm' | 'template' }
  thread: ThreadMessage[]
  quota: { limit: number | null; used: number } | undefined
  canned: CannedReply[]
  assignees: { id: string; displayName: string; role: 'consultant' | 'pmo' }[]
  assessment: AssessmentDefinition | undefined
  now: Date
  flash?: string | undefined
  error?: string | undefined
}

function Profile({ c, now }: { c: CaseRow; now: Date }) {
  const v = (s: string | null | undefined) => (s && s.trim() ? s : <span class="muted">未提供</span>)
  return (
    <dl class="facts">
      <dt>LINE 使用者</dt>
      <dd title={c.userId}>{shortUserId(c.userId)}</dd>
      <dt>公司</dt>
      <dd>{v(c.intake.company)}</dd>
      <dt>方便聯絡時間</dt>
      <dd>{v(c.intake.contactTime)}</dd>
      <dt>想問的問題</dt>
      <dd>{v(c.intake.question)}</dd>
      <dt>轉真人原因</dt>
      <dd>{reasonOf(c)}</dd>
      <dt>開案時間</dt>
      <dd>
        {formatTime(c.openedAt ?? c.createdAt)}
        {c.dueAt ? <span class="muted">（回覆期限 {formatTime(c.dueAt)}）</span> : null}
        {isOverdue(c, now) ? <span class="badge overdue">逾時未回覆</span> : null}
      </dd>
    </dl>
  )
}

function Assessment({ ctx, def }: { ctx: CaseContext; def: AssessmentDefinition | undefined }) {
  const a = ctx.assessment
  if (!a) return <p class="muted">這位使用者還沒有完成數位健檢。</p>
  const r = a.result
  const eligible = r.programmes.filter((p) => p.verdict === 'eligible')
  const checking = r.programmes.filter((p) => p.verdict === 'needs-checking')
  return (
    <div class="assessment">
      <p>
        <strong>
          整體：{r.overall.level === null ? '答題不足，無整體等級' : `第 ${r.overall.level} 級（${levelName(def, r.overall.level) ?? ''}）`}
        </strong>
        {r.overall.average !== null ? <span class="muted">　平均 {r.overall.average}，已答 {r.overall.answered}／{r.overall.total} 項</span> : null}
        <br />
        <span class="muted">完成於 {formatTime(a.completedAt)}</span>
      </p>
      <ul class="levels">
        {r.functions.map((f) => (
          <li>
            {functionName(def, f.id)}：{f.level === null ? <span class="muted">跳過</span> : `第 ${f.level} 級 ${levelName(def, f.level) ?? ''}`}
            {r.weakest.includes(f.id) ? <span class="badge overdue">較弱</span> : null}
          </li>
        ))}
      </ul>
      <h3>可能符合的計畫</h3>
      {eligible.length === 0 ? <p class="muted">沒有確定符合的計畫。</p> : null}
      <ul>
        {eligible.map((p) => (
          <li class="eligible">
            {p.name}
            {p.window === 'closed' ? <span class="badge">申請期已過</span> : null}
          </li>
        ))}
        {checking.map((p) => (
          <li>
            {p.name} <span class="badge">需再確認</span>
          </li>
        ))}
      </ul>
    </div>
  )
}

function Unanswered({ ctx }: { ctx: CaseContext }) {
  if (ctx.unanswered.length === 0) return <p class="muted">沒有小幫手答不出的問題。</p>
  return (
    <ul class="unanswered">
      {ctx.unanswered.map((u) => (
        <li>
          「{u.question}」<span class="muted">{u.reason === 'uncovered' ? '知識庫沒有答案' : '使用者回饋沒幫助'}・{formatTime(u.at)}</span>
        </li>
      ))}
    </ul>
  )
}

function QuotaLine({ quota }: { quota: CasePageProps['quota'] }) {
  if (!quota) return <p class="muted quota">本月剩餘推播額度：無法取得</p>
  if (quota.limit === null) return <p class="muted quota">本月推播額度：無上限（已用 {quota.used} 則）</p>
  return (
    <p class="muted quota">
      本月剩餘推播額度：{Math.max(0, quota.limit - quota.used)}／{quota.limit} 則（使用者 50 秒內傳過訊息時以回覆送出，不佔額度）
    </p>
  )
}

function AssignForm({ session, c, assignees }: Pick<CasePageProps, 'session' | 'c' | 'assignees'>) {
  const me = session.staff
  const options =
    me.role === 'pmo'
      ? assignees
      : c.assigneeId === null
        ? assignees.filter((a) => a.id === me.id)
        : c.assigneeId === me.id
          ? assignees.filter((a) => a.role === 'consultant' && a.id !== me.id)
          : []
  if (options.length === 0 || c.status === 'resolved') return null
  return (
    <form method="post" action={`/console/cases/${c.id}/assign`} class="assign">
      <CsrfField session={session} />
      <label for="assignee">指派給</label>
      <select id="assignee" name="assignee">
        {me.role === 'pmo' ? <option value="">（未指派）</option> : null}
        {options.map((a) => (
          <option value={a.id} selected={a.id === c.assigneeId}>
            {a.displayName}
            {a.role === 'pmo' ? '（PMO）' : ''}
            {a.id === me.id ? '（我）' : ''}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary">{me.role !== 'pmo' && c.assigneeId === null ? '接手這個案件' : '指派'}</button>
    </form>
  )
}

export function CasePage(p: CasePageProps) {
  const { c, session } = p
  return (
    <Layout title={`案件 #${c.id}`} session={session} flash={p.flash} error={p.error}>
      <p>
        <a href="/console/cases">← 案件列表</a>
      </p>
      <h1>
        案件 #{c.id}　{companyOf(c)} <span class="badge case-status">{STATUS_LABELS[c.status]}</span>
      </h1>
      <p class="muted">
        負責顧問：{c.assigneeName ?? '未指派'}
        {c.resolvedBy ? `　結案：${c.resolvedBy}${c.satisfaction ? `，滿意度 ${c.satisfaction}／5` : ''}` : ''}
      </p>
      <div class="grid">
        <section class="card">
          <h2>使用者資料</h2>
          <Profile c={c} now={p.now} />
          <h2>摘要{p.summary.source === 'llm' ? '（AI 產生）' : ''}</h2>
          <p class="summary">{p.summary.text}</p>
        </section>
        <section class="card">
          <h2>數位健檢</h2>
          <Assessment ctx={p.ctx} def={p.assessment} />
          <h2>小幫手未能回答的問題</h2>
          <Unanswered ctx={p.ctx} />
        </section>
      </div>

      <section class="card">
        <h2>對話</h2>
        <div id="thread" data-case={String(c.id)}>
          <Thread session={session} c={c} thread={p.thread} />
        </div>
        {c.status === 'open' ? (
          <form method="post" action={`/console/cases/${c.id}/reply`} class="reply">
            <CsrfField session={session} />
            <label for="canned">常用回覆</label>
            <select id="canned">
              <option value="">（選擇後填入回覆框）</option>
              {p.canned.map((r) => (
                <option value={r.text}>{r.title}</option>
              ))}
            </select>
            <label for="body">回覆使用者（會傳到對方的 LINE）</label>
            <textarea id="body" name="body" maxlength={REPLY_MAX_CHARS} required></textarea>
            <QuotaLine quota={p.quota} />
            <button type="submit">傳送</button>
          </form>
        ) : (
          <p class="muted">{c.status === 'resolved' ? '案件已結案，無法再傳訊息。' : '使用者還在填寫資料，案件開啟後才能回覆。'}</p>
        )}
      </section>

      <div class="grid">
        <section class="card">
          <h2>內部備註（不會傳給使用者）</h2>
          <ul class="notes">
            {p.ctx.notes.map((n) => (
              <li>
                <span class="muted">
                  {n.staffName ?? '—'}・{formatTime(n.at)}
                </span>
                <div class="text">{n.text}</div>
              </li>
            ))}
          </ul>
          <form method="post" action={`/console/cases/${c.id}/notes`}>
            <CsrfField session={session} />
            <label for="note">新增備註</label>
            <textarea id="note" name="body" maxlength={NOTE_MAX_CHARS} required></textarea>
            <button type="submit" class="secondary">儲存備註</button>
          </form>
        </section>
        <section class="card">
          <h2>處理</h2>
          <AssignForm session={session} c={c} assignees={p.assignees} />
          {c.status !== 'resolved' ? (
            <form method="post" action={`/console/cases/${c.id}/resolve`} class="resolve">
              <CsrfField session={session} />
              <p class="muted">結案後使用者會回到小幫手，並收到結束通知與滿意度問卷。</p>
              <button type="submit" class="danger">結案</button>
            </form>
          ) : null}
        </section>
      </div>
      <style>{raw(CASE_CSS)}</style>
      <script src="/console/assets/case.js" defer></script>
    </Layout>
  )
}

const CASE_CSS = `
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}
.facts dt{color:#52606d;font-size:.9rem}.facts dd{margin:0;overflow-wrap:anywhere}
.summary{white-space:pre-line}
.levels,.unanswered,.notes{padding-left:1.1rem}
#thread{max-height:60vh;overflow-y:auto;border:1px solid #e4e8ec;border-radius:8px;background:#f8fafb}
.thread{list-style:none;margin:0;padding:.5rem;display:flex;flex-direction:column;gap:.5rem}
.thread .msg{max-width:85%;padding:.45rem .6rem;border-radius:10px;background:#fff;border:1px solid #dde3e8}
.thread .msg.out{align-self:flex-end;background:#e3f9e5;border-color:#b7e4c0}
.thread .msg.out.staff{background:#dcefff;border-color:#b3d4f5}
.thread .text{white-space:pre-wrap;overflow-wrap:anywhere}
.thread .meta{font-size:.8rem;display:flex;flex-wrap:wrap;gap:.3rem;align-items:center}
.thread .divider{align-self:center;color:#6b7785;font-size:.85rem}
.delivery-error{font-size:.85rem;overflow-wrap:anywhere}
form.reply,form.assign,form.resolve{margin-top:.6rem}
h3{font-size:1rem;margin:.8rem 0 .3rem}
`

export const statusLabel = (s: CaseRow['status']) => STATUS_LABELS[s]
