import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { z } from 'zod'
import { audit, requireStaff, type ConsoleEnv, type Session } from '../console/auth.js'
import type { ConsoleDeps } from '../console/deps.js'
import { CsrfField, formatTime } from '../console/layout.js'
import { rowsOf } from '../db/types.js'
import { postbackItem, text } from '../chat/messages.js'
import type { LineMessage } from '../line/limits.js'
import { audienceSchema, campaignCost, campaignProgress, campaignResults, countAudience, createCampaign, remainingQuota, type Audience, type AudienceCount, type CampaignProgress, type CampaignResults } from '../outreach/campaigns.js'
import { TOPICS } from '../outreach/copy.js'
import { PmoPage } from './pages/common.js'

/**
 * 推播活動: a PMO user composes a text, picks the audience from what the bot knows (subscribed
 * topics, region, industry, latest level), sees the count and the cost against the month's
 * remaining quota, sends a test to a staff LINE account, then sends now or at a time; the progress
 * page follows the delivery. Every send is audit-logged.
 */

const STATUS: Record<string, string> = { draft: '草稿', scheduled: '已排程', sending: '發送中', done: '已完成', stopped: '已停止', refused: '未發送（額度不足）' }
const csv = (s: unknown) =>
  String(s ?? '')
    .split(/[,，、\s]+/)
    .map((x) => x.trim())
    .filter(Boolean)
const all = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)])

const formSchema = z.object({
  title: z.string().trim().min(1, '請填寫標題').max(60),
  text: z.string().trim().min(1, '請填寫訊息內容').max(1000, '訊息請在 1000 字以內'),
})

interface Draft {
  title: string
  text: string
  /** A knowledge document whose card goes with the text. */
  documentId: string
  audience: Audience
  testUser: string
  when: string
}

function draftOf(body: Record<string, unknown>): { draft: Draft; error?: string } {
  const audience = audienceSchema.safeParse({
    topics: all(body.topics),
    regions: csv(body.regions),
    industries: all(body.industries),
    levels: all(body.levels).map(Number),
    eligibleFor: String(body.eligibleFor ?? '') || undefined,
  })
  const form = formSchema.safeParse({ title: body.title ?? '', text: body.text ?? '' })
  const draft: Draft = {
    title: String(body.title ?? ''),
    text: String(body.text ?? ''),
    documentId: String(body.documentId ?? ''),
    audience: audience.success ? audience.data : { topics: all(body.topics) as Audience['topics'], regions: csv(body.regions), industries: all(body.industries), levels: all(body.levels).map(Number) },
    testUser: String(body.testUser ?? '').trim(),
    when: String(body.when ?? ''),
  }
  const error = !form.success ? form.error.issues[0]!.message : !audience.success ? '請至少選一個訂閱主題（只會發給同意接收該主題的使用者）' : undefined
  return { draft, error }
}

/** A knowledge document as a card: its title, the lead of its first section, the source and its date. */
export interface DocumentCard {
  id: string
  title: string
  lead: string
  source: string
  sourceDate: string | null
}

async function documentCard(db: ConsoleDeps['db'], id: string): Promise<DocumentCard | undefined> {
  const row = rowsOf<{ id: string; title: string; source: string; source_date: string | null; card: unknown }>(
    await db.execute(sql`SELECT d.id, d.title, d.source, d.source_date, (SELECT c.card FROM kb_chunks c WHERE c.document_id = d.id AND c.card IS NOT NULL ORDER BY c.ord LIMIT 1) AS card
      FROM kb_documents d WHERE d.id = ${id}`),
  )[0]
  if (!row) return undefined
  const card = row.card as { lead?: string } | null
  return { id: row.id, title: row.title, lead: card?.lead ?? '', source: row.source, sourceDate: row.source_date }
}

/** The card as a LINE Flex bubble; its button asks the bot about the document (a postback, so the tap is counted). */
export function cardMessage(card: DocumentCard): LineMessage {
  const bubble = {
    type: 'bubble',
    body: {
      type: 'box',
      layout: 'vertical',
      spacing: 'md',
      contents: [
        { type: 'text', text: card.title, weight: 'bold', size: 'md', wrap: true },
        ...(card.lead ? [{ type: 'text', text: card.lead, size: 'sm', wrap: true }] : []),
        { type: 'text', text: `資料來源：${card.source}${card.sourceDate ? `（${card.sourceDate}）` : ''}`, size: 'xs', color: '#888888', wrap: true },
      ],
    },
    footer: {
      type: 'box',
      layout: 'vertical',
      contents: [{ type: 'button', style: 'primary', action: { type: 'postback', label: '問計畫問題', data: 'action=ask', displayText: '我想問這個計畫' } }],
    },
  }
  return { type: 'flex', altText: card.title.slice(0, 400), contents: bubble } as unknown as LineMessage
}

/** The text (and the card, if any) with the bot's next steps as quick replies; every tap is counted as the campaign's. */
const messagesOf = (d: Draft, card?: DocumentCard): LineMessage[] => {
  const next = [postbackItem('問計畫問題', 'action=ask'), postbackItem('數位健檢', 'action=assess'), postbackItem('找真人顧問', 'action=consultant')]
  return card ? [text(d.text), { ...cardMessage(card), quickReply: { items: next } } as LineMessage] : [text(d.text, next)]
}

export function campaignRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const { db } = deps
  const app = new Hono<ConsoleEnv>()
  app.use('/campaigns', requireStaff('pmo'))
  app.use('/campaigns/*', requireStaff('pmo'))
  const industries = deps.rules?.industries.map((i) => ({ id: i.id, name: i.name })) ?? []
  const programmes = deps.rules?.programmes.map((p) => ({ id: p.id, name: p.name })) ?? []
  const empty: Draft = { title: '', text: '', documentId: '', audience: { topics: ['windows'], regions: [], industries: [], levels: [] }, testUser: '', when: '' }

  async function estimate(d: Draft): Promise<Estimate> {
    const count = await countAudience(db, d.audience, deps.rules)
    const remaining = await remainingQuota(deps.line).catch(() => undefined)
    return { count, cost: campaignCost(count.reachable, (await messagesFor(d)).length), remaining }
  }
  const messagesFor = async (d: Draft) => messagesOf(d, d.documentId ? await documentCard(db, d.documentId) : undefined)
  const documents = async () => rowsOf<{ id: string; title: string }>(await db.execute(sql`SELECT id, title FROM kb_documents ORDER BY title LIMIT 500`))
  const page = async (s: Session, d: Draft, extra: Partial<FormProps> = {}) => <CampaignForm session={s} draft={d} industries={industries} programmes={programmes} documents={await documents()} {...extra} />

  app.get('/campaigns', async (c) => {
    const rows = rowsOf<ListRow>(
      await db.execute(sql`SELECT c.id, c.title, c.status, c.created_at, c.scheduled_at,
        (SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = c.id) AS recipients,
        (SELECT count(*) FROM campaign_recipients r WHERE r.campaign_id = c.id AND r.status = 'sent') AS sent
        FROM campaigns c ORDER BY c.id DESC LIMIT 100`),
    )
    return c.html(<CampaignList session={c.get('session')!} rows={rows} flash={c.req.query('ok')} />)
  })

  app.get('/campaigns/new', async (c) => c.html(await page(c.get('session')!, empty)))

  // One form, three buttons: see the count and cost, send a test, or send (now or at a time).
  app.post('/campaigns/new', async (c) => {
    const s = c.get('session')!
    const body = await c.req.parseBody({ all: true })
    const { draft, error } = draftOf(body)
    if (error) return c.html(await page(s, draft, { error }), 400)
    const est = await estimate(draft)
    const intent = String(body.intent ?? 'preview')
    if (intent === 'test') {
      if (!/^U[0-9a-f]{32}$/.test(draft.testUser)) return c.html(await page(s, draft, { estimate: est, error: '測試對象請填 LINE 使用者 ID（U 開頭、33 碼）' }), 400)
      try {
        await deps.line.push(draft.testUser, await messagesFor(draft), crypto.randomUUID())
      } catch (e) {
        return c.html(await page(s, draft, { estimate: est, error: `測試訊息沒有送出：${(e as Error).message.slice(0, 120)}` }), 502)
      }
      await audit(db, s.staff.id, 'campaign.test', `line:${draft.testUser.slice(0, 6)}…`, { title: draft.title })
      return c.html(await page(s, draft, { estimate: est, flash: '已送出測試訊息，請在手機上確認' }))
    }
    if (intent === 'send') {
      if (est.remaining === undefined) return c.html(await page(s, draft, { estimate: est, error: '無法讀取本月訊息額度，請稍後再試' }), 502)
      if (est.remaining !== null && est.cost > est.remaining) return c.html(await page(s, draft, { estimate: est, error: `本月剩餘額度 ${est.remaining} 則，不足以發送 ${est.cost} 則` }), 400)
      if (est.count.reachable === 0) return c.html(await page(s, draft, { estimate: est, error: '沒有符合條件、且同意接收的對象' }), 400)
      const when = draft.when ? new Date(`${draft.when}:00+08:00`) : new Date()
      if (Number.isNaN(when.getTime())) return c.html(await page(s, draft, { estimate: est, error: '排程時間格式不正確' }), 400)
      const id = (await createCampaign(db, { title: draft.title, messages: await messagesFor(draft), audience: draft.audience, createdBy: s.staff.id, scheduledAt: when }))!
      await audit(db, s.staff.id, 'campaign.send', `campaign:${id}`, { recipients: est.count.reachable, cost: est.cost, scheduledAt: when.toISOString(), audience: draft.audience })
      return c.redirect(`/console/campaigns/${id}`, 303)
    }
    return c.html(await page(s, draft, { estimate: est }))
  })

  app.get('/campaigns/:id', async (c) => {
    const id = z.coerce.number().int().positive().safeParse(c.req.param('id')).data
    const progress = id ? await campaignProgress(db, id) : undefined
    if (!progress) return c.text('找不到推播活動', 404)
    return c.html(<CampaignPage session={c.get('session')!} progress={progress} results={await campaignResults(db, progress.id)} />)
  })
  app.get('/campaigns/:id/progress.json', async (c) => {
    const id = z.coerce.number().int().positive().safeParse(c.req.param('id')).data
    const progress = id ? await campaignProgress(db, id) : undefined
    return progress ? c.json(progress) : c.json({ error: 'not found' }, 404)
  })
  return app
}

interface Estimate {
  count: AudienceCount
  cost: number
  /** null: no monthly limit; undefined: could not be read. */
  remaining: number | null | undefined
}

interface ListRow {
  id: number
  title: string
  status: string
  created_at: string | Date
  scheduled_at: string | Date | null
  /** count(*): a bigint, read as a number by both database adapters. */
  recipients: number
  sent: number
}

function CampaignList(props: { session: Session; rows: ListRow[]; flash?: string | undefined }) {
  return (
    <PmoPage title="推播活動" session={props.session} section="campaigns" flash={props.flash}>
      <h1>推播活動</h1>
      <p>
        <a href="/console/campaigns/new" class="button" data-testid="new-campaign">
          新增推播
        </a>
      </p>
      <table class="responsive" data-testid="campaigns">
        <thead>
          <tr>
            <th>標題</th>
            <th>狀態</th>
            <th>發送時間</th>
            <th>已送達／對象</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <td>
                <a href={`/console/campaigns/${r.id}`}>{r.title}</a>
              </td>
              <td>{STATUS[r.status] ?? r.status}</td>
              <td>{formatTime(r.scheduled_at ?? r.created_at)}</td>
              <td>
                {r.sent}／{r.recipients}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PmoPage>
  )
}

interface FormProps {
  session: Session
  draft: Draft
  industries: { id: string; name: string }[]
  programmes: { id: string; name: string }[]
  documents: { id: string; title: string }[]
  estimate?: Estimate
  error?: string
  flash?: string
}

function CampaignForm(props: FormProps) {
  const { draft: d, estimate: e } = props
  const checked = (on: boolean) => (on ? { checked: true } : {})
  return (
    <PmoPage title="新增推播" session={props.session} section="campaigns" error={props.error} flash={props.flash}>
      <h1>新增推播</h1>
      <form method="post" action="/console/campaigns/new" data-testid="campaign-form">
        <CsrfField session={props.session} />
        <label for="title">標題（只在後台顯示）</label>
        <input id="title" name="title" value={d.title} maxlength={60} required />
        <label for="text">訊息內容</label>
        <textarea id="text" name="text" maxlength={1000} required>
          {d.text}
        </textarea>
        <label for="documentId">附上知識文件的卡片（可不選）</label>
        <select id="documentId" name="documentId">
          <option value="">不附卡片</option>
          {props.documents.map((doc) => (
            <option value={doc.id} {...(d.documentId === doc.id ? { selected: true } : {})}>
              {doc.title}
            </option>
          ))}
        </select>
        <fieldset class="card">
          <legend>對象（只會發給同意接收所選主題、且仍是好友的使用者）</legend>
          <div class="checks">
            {TOPICS.map((t) => (
              <label class="check">
                <input type="checkbox" name="topics" value={t.id} {...checked(d.audience.topics.includes(t.id))} /> {t.label}
              </label>
            ))}
          </div>
          <label for="regions">縣市（空白＝不限，多個用逗號分隔）</label>
          <input id="regions" name="regions" value={d.audience.regions.join('，')} />
          <p>產業（不選＝不限）</p>
          <div class="checks">
            {props.industries.map((i) => (
              <label class="check">
                <input type="checkbox" name="industries" value={i.id} {...checked(d.audience.industries.includes(i.id))} /> {i.name}
              </label>
            ))}
          </div>
          <p>最近一次數位健檢等級（不選＝不限）</p>
          <div class="checks">
            {[1, 2, 3, 4, 5].map((l) => (
              <label class="check">
                <input type="checkbox" name="levels" value={String(l)} {...checked(d.audience.levels.includes(l))} /> 第 {l} 級
              </label>
            ))}
          </div>
          <label for="eligibleFor">可能符合的計畫（依規則判斷為符合或需確認的企業；不選＝不限）</label>
          <select id="eligibleFor" name="eligibleFor">
            <option value="">不限</option>
            {props.programmes.map((p) => (
              <option value={p.id} {...(d.audience.eligibleFor === p.id ? { selected: true } : {})}>
                {p.name}
              </option>
            ))}
          </select>
        </fieldset>
        {e ? (
          <div class="card" data-testid="campaign-estimate">
            <p>
              對象 <strong data-testid="audience-count">{e.count.reachable}</strong> 人
              {e.count.blocked > 0 ? `（另有 ${e.count.blocked} 位訂閱者已封鎖，不會發送）` : ''}，將用掉 <strong data-testid="campaign-cost">{e.cost}</strong> 則訊息額度；
              本月剩餘 <strong data-testid="quota-remaining">{e.remaining === null ? '不限' : e.remaining === undefined ? '無法讀取' : e.remaining}</strong>
              {e.remaining !== null && e.remaining !== undefined && e.cost > e.remaining ? '：額度不足，無法發送。' : '。'}
            </p>
          </div>
        ) : null}
        <p>
          <button type="submit" name="intent" value="preview" data-testid="campaign-preview">
            計算人數與費用
          </button>
        </p>
        <label for="testUser">測試對象（同仁的 LINE 使用者 ID）</label>
        <input id="testUser" name="testUser" value={d.testUser} placeholder="U…" />
        <p>
          <button type="submit" name="intent" value="test" data-testid="campaign-test">
            發送測試
          </button>
        </p>
        <label for="when">排程時間（台灣時間；空白＝立即發送）</label>
        <input id="when" name="when" type="datetime-local" value={d.when} />
        <p>
          <button type="submit" name="intent" value="send" class="primary" data-testid="campaign-send">
            發送
          </button>
        </p>
      </form>
    </PmoPage>
  )
}

function CampaignPage(props: { session: Session; progress: CampaignProgress; results: CampaignResults }) {
  const r = props.results
  const p = props.progress
  const running = p.status === 'sending' || p.status === 'scheduled'
  const pct = p.recipients - p.blocked > 0 ? Math.round((100 * p.sent) / (p.recipients - p.blocked)) : 0
  return (
    <PmoPage title={p.title} session={props.session} section="campaigns">
      {running ? <meta http-equiv="refresh" content="3" /> : null}
      <h1>{p.title}</h1>
      <p data-testid="campaign-status">
        狀態：{STATUS[p.status] ?? p.status}
        {p.stopReason ? `（${p.stopReason}）` : ''}
      </p>
      <progress max={100} value={pct} data-testid="campaign-progress">
        {pct}%
      </progress>
      <Figures
        testId="campaign-counts"
        rows={[
          ['對象', p.recipients],
          ['已送達', p.sent, 'campaign-sent'],
          ['等待發送', p.queued],
          ['失敗', p.failed],
          ['已封鎖（未發送）', p.blocked],
          ['因額度未發送', p.unsent],
          ['批次（每批最多 500 人）', `${p.batchesSent}／${p.batches}`],
        ]}
      />
      <h2>成效（送達後 7 天內）</h2>
      <Figures
        testId="campaign-results"
        rows={[
          ['點按訊息中的按鈕', r.tapped, 'campaign-tapped'],
          ['問了計畫問題', r.asked, 'campaign-asked'],
          ['完成數位健檢', r.assessed],
          ['找真人顧問', r.handedOff],
        ]}
      />
      <p>
        <a href="/console/campaigns">回推播活動列表</a>　<a href="/console/learn/export.csv?kind=campaigns">匯出所有推播成效 CSV</a>
      </p>
    </PmoPage>
  )
}

/** A two-column table of labelled figures; a row's third item is its value's test id. */
function Figures(props: { testId: string; rows: [string, number | string, string?][] }) {
  return (
    <table class="responsive" data-testid={props.testId}>
      <tbody>
        {props.rows.map(([label, value, testId]) => (
          <tr>
            <th>{label}</th>
            <td data-testid={testId}>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
