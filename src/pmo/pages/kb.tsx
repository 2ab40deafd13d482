import type { Session } from '../../console/auth.js'
import { CsrfField, formatTime } from '../../console/layout.js'
import type { Chunk } from '../../knowledge/chunker.js'
import type { DocForm, FieldErrors } from '../doc-form.js'
import type { Industry } from '../../eligibility/rules.js'
import { KIND_LABEL as PROGRAMME_KIND_LABEL, REGISTRATION_LABEL } from '../rules-form.js'
import type { SampleVerdict } from '../rules-preview.js'
import type { DocumentSummary, LiveRow, VersionRow } from '../documents.js'
import { ACTION_LABEL, KIND_LABEL, PmoPage, RenderedMarkdown, STATE_LABEL, STATUS_LABEL } from './common.js'

const FILTERS: [string, string][] = [['', '全部'], ['current', '受理中／現行'], ['closed', '已截止'], ['planned', '規劃中'], ['draft', '草稿'], ['retired', '已下架']]

export function DocumentListPage(props: { session: Session; docs: DocumentSummary[]; q: string; filter: string; flash?: string | undefined; error?: string | undefined }) {
  const s = props.session
  return (
    <PmoPage title="知識文件" session={s} section="kb" flash={props.flash} error={props.error}>
      <h1>知識文件</h1>
      <div class="toolbar">
        <a class="button" href="/console/kb/new">新增文件</a>
        <form method="post" action="/console/kb/reindex" class="inline">
          <CsrfField session={s} />
          <button type="submit" class="secondary" data-testid="reindex">重新建立全部索引</button>
        </form>
      </div>
      <div class="card">
        <h2>上傳檔案</h2>
        <p class="muted">可上傳 .md、.txt、.docx、文字型 .pdf（5 MB 以內）。檔案會轉成 Markdown 草稿，檢查後再發布。</p>
        <form method="post" action="/console/kb/upload" enctype="multipart/form-data">
          <CsrfField session={s} />
          <input type="file" name="file" accept=".md,.txt,.docx,.pdf" required data-testid="upload-file" aria-label="選擇檔案" />
          <button type="submit" data-testid="upload-submit">上傳並轉換</button>
        </form>
      </div>
      <form method="get" action="/console/kb" class="toolbar" role="search">
        {props.filter ? <input type="hidden" name="filter" value={props.filter} /> : null}
        <input type="search" name="q" value={props.q} placeholder="搜尋標題、代號、標籤或內文" aria-label="搜尋文件" style="flex:1" />
        <button type="submit" class="secondary">搜尋</button>
      </form>
      <nav class="tabs" aria-label="依狀態篩選">
        {FILTERS.map(([value, label]) => (
          <a href={`/console/kb?${new URLSearchParams({ ...(props.q ? { q: props.q } : {}), ...(value ? { filter: value } : {}) })}`} class={props.filter === value ? 'active' : ''}>
            {label}
          </a>
        ))}
      </nav>
      <p class="muted">共 {props.docs.length} 份文件</p>
      <table class="responsive" data-testid="doc-list">
        <thead>
          <tr>
            <th>標題</th>
            <th>類型</th>
            <th>計畫狀態</th>
            <th>版本狀態</th>
            <th>資料日期</th>
            <th>最後更新</th>
          </tr>
        </thead>
        <tbody>
          {props.docs.map((d) => (
            <tr data-doc-id={d.id}>
              <td>
                <a href={`/console/kb/doc/${encodeURIComponent(d.id)}`}>{d.title}</a>
                <div class="muted">{d.id}</div>
              </td>
              <td>{KIND_LABEL[d.kind] ?? d.kind}</td>
              <td>
                <span class={`badge ${d.status}`}>{STATUS_LABEL[d.status] ?? d.status}</span>
              </td>
              <td>
                <span class={`badge ${d.state}`} data-testid="doc-state">{STATE_LABEL[d.state]}</span>
                {d.pendingDraft ? <span class="badge draft">有待發布的草稿</span> : null}
              </td>
              <td>{d.sourceDate ?? '—'}</td>
              <td>
                {formatTime(d.updatedAt)}
                {d.updatedBy ? <div class="muted">{d.updatedBy}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </PmoPage>
  )
}

export interface DocumentViewProps {
  session: Session
  id: string
  live: LiveRow | undefined
  versions: VersionRow[]
  chunks: { headingPath: string[]; text: string }[]
  /** What to show when the document is not live (latest version's body). */
  body: string
  title: string
  flash?: string | undefined
  error?: string | undefined
}

export function DocumentViewPage(p: DocumentViewProps) {
  const s = p.session
  const latest = p.versions[0]
  const draftPending = latest?.state === 'draft'
  return (
    <PmoPage title={p.title} session={s} section="kb" flash={p.flash} error={p.error}>
      <p>
        <a href="/console/kb">← 文件列表</a>
      </p>
      <h1 data-testid="doc-title">{p.title}</h1>
      <p class="muted">
        {p.id}
        {p.live ? (
          <>
            {' · '}
            <span class="badge published" data-testid="doc-live">線上版本</span> {STATUS_LABEL[p.live.status] ?? p.live.status} · 資料日期 {p.live.sourceDate ?? '—'} · 來源 {p.live.source}
          </>
        ) : (
          <>
            {' · '}
            <span class="badge retired" data-testid="doc-live">未在線上</span>
          </>
        )}
      </p>
      <div class="toolbar">
        <a class="button" href={`/console/kb/doc/${encodeURIComponent(p.id)}/edit`} data-testid="edit">
          {draftPending ? '編輯草稿' : '編輯'}
        </a>
        {draftPending ? (
          <form method="post" action={`/console/kb/doc/${encodeURIComponent(p.id)}/publish`} class="inline">
            <CsrfField session={s} />
            <button type="submit" data-testid="publish-draft">發布第 {latest!.version} 版草稿</button>
          </form>
        ) : null}
        {p.live ? (
          <form method="post" action={`/console/kb/doc/${encodeURIComponent(p.id)}/retire`} class="inline" data-confirm="確定下架？下架後機器人不再引用這份文件，版本紀錄會保留。">
            <CsrfField session={s} />
            <button type="submit" class="danger" data-testid="retire">下架</button>
          </form>
        ) : null}
        <a class="button secondary" href="/console/kb/try">試問</a>
      </div>
      <div class="card">
        <h2>{p.live ? '線上內容' : latest ? `第 ${latest.version} 版內容（未在線上）` : '內容'}</h2>
        <RenderedMarkdown source={p.body} />
      </div>
      {p.chunks.length > 0 ? (
        <div class="card">
          <h2>{p.live ? `索引切塊（${p.chunks.length}）` : `切塊預覽（${p.chunks.length}，尚未進入索引）`}</h2>
          <ChunkList chunks={p.chunks} />
        </div>
      ) : null}
      <div class="card">
        <h2>版本紀錄</h2>
        {p.versions.length === 0 ? (
          <p class="muted">這份文件來自 knowledge/ 資料夾，尚未在後台修改過；第一次修改時會先把目前內容匯入為第 1 版。</p>
        ) : (
          <table class="responsive" data-testid="versions">
            <thead>
              <tr>
                <th>版本</th>
                <th>動作</th>
                <th>狀態</th>
                <th>人員</th>
                <th>時間</th>
                <th>備註</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {p.versions.map((v) => (
                <tr data-version={v.version}>
                  <td>
                    <a href={`/console/kb/doc/${encodeURIComponent(p.id)}/v/${v.version}`}>第 {v.version} 版</a>
                  </td>
                  <td>{ACTION_LABEL[v.action] ?? v.action}</td>
                  <td>
                    <span class={`badge ${v.state}`}>{STATE_LABEL[v.state]}</span>
                  </td>
                  <td>{v.displayName ?? '—'}</td>
                  <td>{formatTime(v.createdAt)}</td>
                  <td class="muted">{v.note ?? ''}</td>
                  <td>
                    {v.state !== 'retired' ? (
                      <form method="post" action={`/console/kb/doc/${encodeURIComponent(p.id)}/restore`} class="inline">
                        <CsrfField session={s} />
                        <input type="hidden" name="version" value={String(v.version)} />
                        <button type="submit" class="secondary" data-testid={`restore-${v.version}`}>還原並發布</button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>上傳新版本</h2>
        <form method="post" action="/console/kb/upload" enctype="multipart/form-data">
          <CsrfField session={s} />
          <input type="hidden" name="target" value={p.id} />
          <input type="file" name="file" accept=".md,.txt,.docx,.pdf" required aria-label="選擇新版本檔案" />
          <button type="submit" class="secondary">上傳為草稿</button>
        </form>
      </div>
    </PmoPage>
  )
}

export function ChunkList({ chunks }: { chunks: { headingPath: string[]; text: string }[] }) {
  return (
    <div data-testid="chunks">
      {chunks.map((c, i) => (
        <div class="chunk">
          <div class="path">
            #{i + 1} {c.headingPath.join(' › ') || '（無標題）'} <span class="muted">{Array.from(c.text).length} 字</span>
          </div>
          {c.text}
        </div>
      ))}
    </div>
  )
}

export function VersionPage(props: { session: Session; id: string; version: VersionRow }) {
  const v = props.version
  return (
    <PmoPage title={`${props.id} 第 ${v.version} 版`} session={props.session} section="kb">
      <p>
        <a href={`/console/kb/doc/${encodeURIComponent(props.id)}`}>← 回到文件</a>
      </p>
      <h1>
        {props.id} 第 {v.version} 版（{ACTION_LABEL[v.action] ?? v.action}，{STATE_LABEL[v.state]}）
      </h1>
      <p class="muted">
        {v.displayName ?? '—'} · {formatTime(v.createdAt)} {v.note ? `· ${v.note}` : ''}
      </p>
      <pre class="raw">{v.markdown}</pre>
    </PmoPage>
  )
}

export interface EditorProps {
  session: Session
  /** undefined: a new document (its id is editable). */
  existingId: string | undefined
  form: DocForm
  errors: FieldErrors
  preview?: Chunk[] | undefined
  /** The sample firms against the rules as edited (the "who would be eligible" preview). */
  firms?: SampleVerdict[] | undefined
  /** Industries the rules can name (from the rules file). */
  industries: Industry[]
  flash?: string | undefined
  notice?: string | undefined
}

function FieldError({ errors, name }: { errors: FieldErrors; name: keyof FieldErrors }) {
  const e = errors[name]
  return e ? (
    <p class="field-error" id={`${name}-error`} data-testid={`error-${name}`} role="alert">
      {e}
    </p>
  ) : null
}

export function EditorPage(p: EditorProps) {
  const f = p.form
  const action = p.existingId ? `/console/kb/doc/${encodeURIComponent(p.existingId)}` : '/console/kb/new'
  const hasErrors = Object.keys(p.errors).length > 0
  const text = (name: keyof DocForm, label: string, hint?: string, extra: Record<string, unknown> = {}) => (
    <div>
      <label for={name}>{label}</label>
      <input type="text" id={name} name={name} value={f[name]} aria-invalid={p.errors[name] ? 'true' : undefined} {...extra} />
      {hint ? <p class="muted">{hint}</p> : null}
      <FieldError errors={p.errors} name={name} />
    </div>
  )
  const select = (name: 'kind' | 'status', label: string, options: Record<string, string>) => (
    <div>
      <label for={name}>{label}</label>
      <select id={name} name={name}>
        {Object.entries(options).map(([value, text]) => (
          <option value={value} selected={f[name] === value}>
            {text}
          </option>
        ))}
      </select>
      <FieldError errors={p.errors} name={name} />
    </div>
  )
  return (
    <PmoPage
      title={p.existingId ? `編輯 ${f.title || p.existingId}` : '新增文件'}
      session={p.session}
      section="kb"
      flash={p.flash}
      error={hasErrors ? '有欄位需要修正，尚未儲存任何內容。' : undefined}
    >
      <p>
        <a href={p.existingId ? `/console/kb/doc/${encodeURIComponent(p.existingId)}` : '/console/kb'}>← 返回</a>
      </p>
      <h1>{p.existingId ? `編輯：${f.title || p.existingId}` : '新增文件'}</h1>
      {p.notice ? <p class="flash">{p.notice}</p> : null}
      <form method="post" action={action} data-testid="editor">
        <CsrfField session={p.session} />
        <FieldError errors={p.errors} name="form" />
        <div class="grid">
          {text('id', '文件代號（id）', '小寫英文、數字與連字號；發布後不能更改', p.existingId ? { readonly: true } : {})}
          {text('title', '標題（使用者看到的引用名稱）')}
          {select('kind', '類型', KIND_LABEL)}
          {select('status', '計畫狀態', STATUS_LABEL)}
          {text('programme', '計畫代號（programme，可留空）', '例如 cloud-points')}
          {text('source', '資料來源', '文件名稱與章節，例如「115年度計畫須知 參、申請資格」')}
          {text('source_date', '資料日期', 'YYYY、YYYY-MM 或 YYYY-MM-DD（西元年）')}
          {text('tags', '標籤（以逗號分隔）')}
          {text('opens', '受理開始日（可留空）', 'YYYY-MM-DD')}
          {text('closes', '受理截止日（可留空）', 'YYYY-MM-DD')}
        </div>
        <label for="body">內文（Markdown；每個 ## 小節會成為一個檢索段落）</label>
        <textarea id="body" name="body" class="body" aria-invalid={p.errors.body ? 'true' : undefined}>
          {f.body}
        </textarea>
        <FieldError errors={p.errors} name="body" />
        <label for="cards">答案卡片（YAML；每個 ## 小節一張：section 小節標題、lead 簡短答案、lead_en 英文、asks 使用者會怎麼問）</label>
        <textarea id="cards" name="cards" class="cards" aria-invalid={p.errors.cards ? 'true' : undefined}>
          {f.cards}
        </textarea>
        <FieldError errors={p.errors} name="cards" />
        <RulesFieldset form={f} errors={p.errors} industries={p.industries} />
        <div class="toolbar">
          <button type="submit" name="intent" value="preview-rules" class="secondary" data-testid="preview-rules">預覽哪些業者符合</button>
          <button type="submit" name="intent" value="preview" class="secondary" data-testid="preview">預覽切塊</button>
          <button type="submit" name="intent" value="draft" class="secondary" data-testid="save-draft">儲存草稿</button>
          <button type="submit" name="intent" value="publish" data-testid="publish">發布</button>
        </div>
      </form>
      {p.firms ? <SampleFirms firms={p.firms} /> : null}
      {p.preview ? (
        <div class="card">
          <h2>切塊預覽（{p.preview.length} 段，尚未儲存）</h2>
          <ChunkList chunks={p.preview} />
        </div>
      ) : null}
    </PmoPage>
  )
}

export function JobPage(props: { session: Session; jobId: string }) {
  return (
    <PmoPage title="重新建立索引" session={props.session} section="kb">
      <h1>重新建立全部索引</h1>
      <p class="muted">完成前，機器人繼續使用舊的索引；完成時一次切換。</p>
      <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={0}>
        <div id="bar" style="width:0%"></div>
      </div>
      <p id="label" data-testid="job-label" aria-live="polite">
        準備中…
      </p>
      <p>
        <a href="/console/kb">← 文件列表</a>
      </p>
      <script src="/console/assets/job.js" defer></script>
    </PmoPage>
  )
}

const VERDICT_LABEL = { eligible: '✅ 符合', 'needs-checking': '⚠️ 需要再確認', 'not-eligible': '❌ 不符合' } as const

function SampleFirms({ firms }: { firms: SampleVerdict[] }) {
  return (
    <div class="card" data-testid="sample-firms">
      <h2>範例業者會得到的結果（尚未儲存）</h2>
      <table>
        <thead>
          <tr>
            <th>業者</th>
            <th>結果</th>
            <th>原因／還需確認</th>
          </tr>
        </thead>
        <tbody>
          {firms.map((f) => (
            <tr data-testid="sample-firm">
              <td title={f.says}>{f.firm}</td>
              <td>{VERDICT_LABEL[f.verdict]}</td>
              <td>{f.because.join('、')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** A programme's eligibility rules as form fields (kind 計畫 only); raw YAML for anything else. */
function RulesFieldset({ form: f, errors, industries }: { form: DocForm; errors: FieldErrors; industries: Industry[] }) {
  const chosen = (field: 'rules_industries' | 'rules_registration') => new Set(f[field].split(',').filter(Boolean))
  const text = (name: keyof DocForm, label: string, hint?: string) => (
    <div>
      <label for={name}>{label}</label>
      <input type="text" id={name} name={name} value={f[name]} aria-invalid={errors[name] ? 'true' : undefined} />
      {hint ? <p class="muted">{hint}</p> : null}
      <FieldError errors={errors} name={name} />
    </div>
  )
  const box = (name: keyof DocForm, label: string) => (
    <label class="check">
      <input type="checkbox" id={name} name={name} value="on" checked={f[name] === 'on'} /> {label}
    </label>
  )
  return (
    <fieldset class="card" data-testid="rules">
      <legend>申請資格規則（計畫文件；發布後幾秒內機器人就用它判斷資格）</legend>
      {box('rules_enabled', '這份文件帶有申請資格規則')}
      <FieldError errors={errors} name="rules_enabled" />
      <div class="grid">
        {text('rules_short_name', '計畫簡稱', '使用者常用的叫法，例如「數位轉型補助」')}
        {text('rules_aliases', '其他叫法（以頓號分隔）')}
        <div>
          <label for="rules_kind">計畫性質</label>
          <select id="rules_kind" name="rules_kind">
            {Object.entries(PROGRAMME_KIND_LABEL).map(([value, label]) => (
              <option value={value} selected={f.rules_kind === value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        {text('rules_benefit', '補助內容', '上限、比例或服務內容，例如「補助上限50萬元，最高50%」')}
        {text('rules_summary', '一句話說明（推薦時顯示）')}
        {text('rules_section', '規則出處章節', '例如「參、申請資格」')}
      </div>
      <p>
        <strong>適用行業</strong>（都不勾＝不限行業）
      </p>
      <div class="checks">
        {industries.map((i) => (
          <label class="check">
            <input type="checkbox" name="rules_industries" value={i.id} checked={chosen('rules_industries').has(i.id)} /> {i.name}
          </label>
        ))}
      </div>
      <div class="grid">
        <div>
          <label for="rules_max_employees">員工人數上限（人）</label>
          <input type="text" id="rules_max_employees" name="rules_max_employees" value={f.rules_max_employees} inputmode="numeric" aria-invalid={errors.rules_max_employees ? 'true' : undefined} />
          <select name="rules_employees_comparison" aria-label="人數上限是否包含">
            <option value="以下" selected={f.rules_employees_comparison !== '未滿'}>
              以下（含）
            </option>
            <option value="未滿" selected={f.rules_employees_comparison === '未滿'}>
              未滿（不含）
            </option>
          </select>
          <FieldError errors={errors} name="rules_max_employees" />
        </div>
        {text('rules_max_capital', '實收資本額上限（萬元，含）')}
        {text('rules_max_revenue', '年營業額上限（萬元，含）')}
        {text('rules_regions', '限定地區（縣市，以頓號分隔；留空＝全國）')}
      </div>
      <p>
        <strong>登記</strong>（都不勾＝不限）
      </p>
      <div class="checks">
        {Object.entries(REGISTRATION_LABEL).map(([value, label]) => (
          <label class="check">
            <input type="checkbox" name="rules_registration" value={value} checked={chosen('rules_registration').has(value)} /> {label}
          </label>
        ))}
      </div>
      <div class="checks">
        {box('rules_sme', '須符合中小企業認定標準（資本額1億元以下或員工未滿200人）')}
        {box('rules_factory', '須有工廠登記（或依法免辦）')}
        {box('rules_no_chinese', '不得有陸資投資')}
      </div>
      <label for="rules_other">其他條件（一行一條，業者要自己確認的，例如「須提出數位轉型計畫書」）</label>
      <textarea id="rules_other" name="rules_other" class="cards">
        {f.rules_other}
      </textarea>
      <label for="rules_wording">申請資格原文（照公告貼上，每條規則都會引用）</label>
      <textarea id="rules_wording" name="rules_wording" class="cards" aria-invalid={errors.rules_wording ? 'true' : undefined}>
        {f.rules_wording}
      </textarea>
      <FieldError errors={errors} name="rules_wording" />
      <FieldError errors={errors} name="rules_benefit" />
      <details open={f.rules_yaml ? true : undefined}>
        <summary>進階：直接編輯規則 YAML（填了就不使用上面的欄位）</summary>
        <textarea id="rules_yaml" name="rules_yaml" class="cards" aria-invalid={errors.rules_yaml ? 'true' : undefined}>
          {f.rules_yaml}
        </textarea>
        <FieldError errors={errors} name="rules_yaml" />
      </details>
    </fieldset>
  )
}
