import { and, desc, eq, sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { parseDefinition, versionNeededFor } from '../assessment/definition.js'
import { audit, requireStaff, type ConsoleEnv, type Session } from '../console/auth.js'
import type { ConsoleDeps } from '../console/deps.js'
import { CsrfField, formatTime } from '../console/layout.js'
import { dataFiles, staff } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { parseProgrammeRules } from '../eligibility/rules.js'
import { PmoPage } from './pages/common.js'
import type { ConsoleTexts } from '../console/texts.js'

/**
 * Programme rules and assessment questions, edited as YAML with the same zod schemas the bot
 * validates them with at start. A saved version is a new data_files row (never updated), so the
 * history is complete and any version can be restored; the bot reads the newest row within seconds
 * (src/pmo/live-data.ts). Until the first save, the bundled file in knowledge/ is shown.
 */

export const DATA_FILES = {
  programmes: { label: '計畫申請規則', file: 'knowledge/rules/programmes.yaml', validate: (t: string) => void parseProgrammeRules(t, 'programmes.yaml') },
  assessment: { label: '數位健檢題目', file: 'knowledge/assessment/quick-assessment.yaml', validate: (t: string) => void parseDefinition(t, 'quick-assessment.yaml') },
} as const
export type DataFileName = keyof typeof DATA_FILES
const isName = (n: string): n is DataFileName => n in DATA_FILES

type HistoryRow = Pick<typeof dataFiles.$inferSelect, 'id' | 'createdAt'> & {
  displayName: string | null
  /** Characters in the file. */
  size: number
}

/** The message shown when a file does not validate (the schema's own wording names the field). */
export function validateDataFile(name: DataFileName, content: string): string | undefined {
  try {
    DATA_FILES[name].validate(content)
    return undefined
  } catch (error) {
    return (error as Error).message
  }
}

export async function currentDataFile(db: Db, name: DataFileName, bundled: ConsoleTexts): Promise<{ content: string; id: number | undefined }> {
  const [row] = await db.select({ id: dataFiles.id, content: dataFiles.content }).from(dataFiles).where(eq(dataFiles.name, name)).orderBy(desc(dataFiles.id)).limit(1)
  return row ? { content: row.content, id: row.id } : { content: bundled[name], id: undefined }
}

/** An edit that is valid on its own but not as a change of `previous` (the file as the bot uses it now). */
export function editProblem(name: DataFileName, previous: string, content: string): string | undefined {
  if (name !== 'assessment') return undefined
  let before
  try {
    before = parseDefinition(previous, 'quick-assessment.yaml')
  } catch {
    return undefined // nothing valid to compare with
  }
  return versionNeededFor(before, parseDefinition(content, 'quick-assessment.yaml'))
}

/** Saves a new version. `previous`: the content being replaced, for edits (a restore is taken as it was). */
export async function saveDataFile(
  db: Db,
  name: DataFileName,
  content: string,
  staffId: string,
  action: 'save' | 'restore',
  options: { from?: number; previous?: string } = {},
): Promise<{ ok: true; id: number } | { ok: false; error: string }> {
  const { from, previous } = options
  const error = validateDataFile(name, content) ?? (previous === undefined ? undefined : editProblem(name, previous, content))
  if (error) return { ok: false, error }
  const id = await db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    const [row] = await tx.insert(dataFiles).values({ name, content, staffId }).returning({ id: dataFiles.id })
    await audit(tx, staffId, `data.${action}`, `data:${name}`, { id: row!.id, ...(from ? { from } : {}) })
    return row!.id
  })
  return { ok: true, id }
}

async function historyOf(db: Db, name: DataFileName): Promise<HistoryRow[]> {
  return db
    .select({ id: dataFiles.id, createdAt: dataFiles.createdAt, displayName: staff.displayName, size: sql<number>`length(${dataFiles.content})` })
    .from(dataFiles)
    .leftJoin(staff, eq(staff.id, dataFiles.staffId))
    .where(eq(dataFiles.name, name))
    .orderBy(desc(dataFiles.id))
    .limit(100)
}

/** A saved version of this file (undefined: no such row, or one of the other file). */
async function storedVersion(db: Db, name: DataFileName, id: number): Promise<{ content: string } | undefined> {
  const [row] = await db
    .select({ content: dataFiles.content })
    .from(dataFiles)
    .where(and(eq(dataFiles.id, id), eq(dataFiles.name, name)))
  return row
}

export function dataFileRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const { db } = deps
  const app = new Hono<ConsoleEnv>()
  app.use('/data', requireStaff('pmo'))
  app.use('/data/*', requireStaff('pmo'))

  app.get('/data', (c) => c.redirect('/console/data/programmes'))
  app.get('/data/:name', async (c) => {
    const name = c.req.param('name')
    if (!isName(name)) return c.text('找不到資料檔', 404)
    const viewId = Number(c.req.query('view')) || undefined
    const current = await currentDataFile(db, name, deps.texts)
    const viewed = viewId ? (await storedVersion(db, name, viewId))?.content : undefined
    return c.html(
      <DataFilePage session={c.get('session')!} name={name} content={viewed ?? current.content} currentId={current.id} viewing={viewed ? viewId : undefined} history={await historyOf(db, name)} flash={c.req.query('ok')} />,
    )
  })

  app.post('/data/:name', async (c) => {
    const name = c.req.param('name')
    if (!isName(name)) return c.text('找不到資料檔', 404)
    const s = c.get('session')!
    const content = String((await c.req.parseBody()).content ?? '').replace(/\r\n?/g, '\n')
    const current = await currentDataFile(db, name, deps.texts)
    const result = await saveDataFile(db, name, content, s.staff.id, 'save', { previous: current.content })
    if (!result.ok) {
      return c.html(<DataFilePage session={s} name={name} content={content} currentId={current.id} history={await historyOf(db, name)} error={result.error} />, 400)
    }
    return c.redirect(`/console/data/${name}?ok=${encodeURIComponent(`已儲存（版本 #${result.id}），機器人將在幾秒內使用新內容`)}`, 303)
  })

  app.post('/data/:name/restore', async (c) => {
    const name = c.req.param('name')
    if (!isName(name)) return c.text('找不到資料檔', 404)
    const s = c.get('session')!
    const from = Number((await c.req.parseBody()).id)
    const row = await storedVersion(db, name, from)
    if (!row) return c.text('找不到版本', 404)
    const result = await saveDataFile(db, name, row.content, s.staff.id, 'restore', { from })
    if (!result.ok) {
      const current = await currentDataFile(db, name, deps.texts)
      return c.html(<DataFilePage session={s} name={name} content={row.content} currentId={current.id} history={await historyOf(db, name)} error={`這個版本已不符合目前的格式：${result.error}`} />, 400)
    }
    return c.redirect(`/console/data/${name}?ok=${encodeURIComponent(`已還原版本 #${from}（新版本 #${result.id}）`)}`, 303)
  })

  return app
}

function DataFilePage(props: { session: Session; name: DataFileName; content: string; currentId: number | undefined; viewing?: number | undefined; history: HistoryRow[]; flash?: string | undefined; error?: string | undefined }) {
  const f = DATA_FILES[props.name]
  return (
    <PmoPage title={f.label} session={props.session} section="data" flash={props.flash}>
      <nav class="tabs" aria-label="資料檔">
        {(Object.keys(DATA_FILES) as DataFileName[]).map((n) => (
          <a href={`/console/data/${n}`} class={n === props.name ? 'active' : ''}>
            {DATA_FILES[n].label}
          </a>
        ))}
      </nav>
      <h1>{f.label}</h1>
      <p class="muted">
        {props.currentId ? `目前使用後台儲存的版本 #${props.currentId}` : `目前使用內建檔案 ${f.file}`}。儲存前會用與機器人相同的規則檢查；有錯誤時不會儲存。
        {props.viewing ? ` 正在檢視版本 #${props.viewing}（儲存即成為新版本）。` : ''}
      </p>
      {props.error ? (
        <div class="card" role="alert" data-testid="data-error">
          <p class="error">內容有錯誤，尚未儲存：</p>
          <pre class="raw">{props.error}</pre>
        </div>
      ) : null}
      <form method="post" action={`/console/data/${props.name}`}>
        <CsrfField session={props.session} />
        <label for="content">YAML 內容</label>
        <textarea id="content" name="content" class="code" spellcheck={false}>
          {props.content}
        </textarea>
        <p>
          <button type="submit" data-testid="data-save">檢查並儲存</button>
        </p>
      </form>
      <div class="card">
        <h2>版本紀錄</h2>
        {props.history.length === 0 ? (
          <p class="muted">尚未在後台儲存過。</p>
        ) : (
          <table class="responsive" data-testid="data-history">
            <thead>
              <tr>
                <th>版本</th>
                <th>人員</th>
                <th>時間</th>
                <th>大小</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {props.history.map((h) => (
                <tr>
                  <td>
                    <a href={`/console/data/${props.name}?view=${h.id}`}>#{h.id}</a>
                    {Number(h.id) === props.currentId ? <span class="badge ok">使用中</span> : null}
                  </td>
                  <td>{h.displayName ?? '—'}</td>
                  <td>{formatTime(h.createdAt)}</td>
                  <td>{h.size} 字元</td>
                  <td>
                    {Number(h.id) !== props.currentId ? (
                      <form method="post" action={`/console/data/${props.name}/restore`} class="inline">
                        <CsrfField session={props.session} />
                        <input type="hidden" name="id" value={String(h.id)} />
                        <button type="submit" class="secondary">還原</button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </PmoPage>
  )
}
