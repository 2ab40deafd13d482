import { sql } from 'drizzle-orm'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { audit, requireStaff, type ConsoleEnv, type Session } from '../console/auth.js'
import type { ConsoleDeps } from '../console/deps.js'
import { rowsOf } from '../db/types.js'
import { chunkMarkdown } from '../knowledge/chunker.js'
import { parseDocument } from '../knowledge/frontmatter.js'
import { ConversionError, convertUpload, UPLOAD_LIMIT_BYTES } from './convert.js'
import { addPhrasing, emptyForm, formFromBody, formFromMarkdown, idFromName, validateForm, type DocForm, type FieldErrors } from './doc-form.js'
import {
  documentExists,
  editableMarkdown,
  listDocuments,
  liveDocument,
  publishDocument,
  restoreVersion,
  retireDocument,
  saveDraft,
  versionsOf,
} from './documents.js'
import { DocumentListPage, DocumentViewPage, EditorPage, JobPage, VersionPage } from './pages/kb.js'
import { jobStatus, startReindexJob } from './reindex.js'
import { tryRoutes } from './try.js'
import { parseProgrammeRules, type ProgrammeRules } from '../eligibility/rules.js'
import { programmeOfDocument } from '../eligibility/published.js'
import { sampleVerdicts, type SampleVerdict } from './rules-preview.js'

const docPath = (id: string) => `/console/kb/doc/${encodeURIComponent(id)}`
const withFlash = (path: string, flash: string) => `${path}?ok=${encodeURIComponent(flash)}`

/** Documents: list, view, edit, upload, publish, retire, restore, re-index (PMO only). */
export function kbRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const { db } = deps
  const embedder = deps.answer.embedder
  const app = new Hono<ConsoleEnv>()
  // Before the session check, which reads the form: a huge upload is refused without buffering it.
  // Files a little over the 5 MB limit are read and refused by the handler with a clear page (a
  // browser shows a connection error, not our page, when the server answers before the body is sent).
  app.use(
    '/kb/upload',
    bodyLimit({
      maxSize: 5 * UPLOAD_LIMIT_BYTES,
      onError: (c) => c.redirect(`/console/kb?err=${encodeURIComponent('檔案超過 5 MB，請拆成較小的檔案再上傳。')}`, 303),
    }),
  )
  app.use('/kb', requireStaff('pmo'))
  app.use('/kb/*', requireStaff('pmo'))
  const session = (c: { get(k: 'session'): Session | undefined }) => c.get('session')!
  const now = () => deps.now?.() ?? new Date()
  // The rules file as shipped: industries and sample firms for the rules form and its preview.
  let bundledRules: ProgrammeRules | undefined
  const baseRules = () => (bundledRules ??= parseProgrammeRules(deps.texts.programmes))

  app.get('/kb', async (c) => {
    const filter = c.req.query('filter') ?? ''
    const docs = (await listDocuments(db, c.req.query('q'))).filter((d) =>
      !filter ? true : filter === 'draft' || filter === 'retired' ? d.state === filter || (filter === 'draft' && d.pendingDraft) : d.status === filter && d.live,
    )
    return c.html(<DocumentListPage session={session(c)} docs={docs} q={c.req.query('q') ?? ''} filter={filter} flash={c.req.query('ok')} error={c.req.query('err')} />)
  })

  app.route('/', tryRoutes(deps))

  // ---- create / edit -------------------------------------------------------------------------
  app.get('/kb/new', (c) => {
    const q = c.req.query('q')?.trim()
    const form = emptyForm()
    // From the learn page's "用文件補上": start the document from the unanswered question.
    if (q) form.body = `## ${q}\n\n（請在這裡寫出答案，並註明資料來源。）\n`
    return c.html(<EditorPage session={session(c)} existingId={undefined} form={form} errors={{}} industries={baseRules().industries} notice={q ? `使用者問過：「${q}」` : undefined} />)
  })

  app.get('/kb/doc/:id/edit', async (c) => {
    const id = c.req.param('id')
    const markdown = await editableMarkdown(db, id)
    if (markdown === undefined) return c.text('找不到文件', 404)
    const form = formFromMarkdown(id, markdown)
    const q = c.req.query('q')?.trim()
    // From 洞察's "加到答案卡片": the question joins the phrasings of the card it is most like.
    const ask = c.req.query('ask')?.trim().slice(0, 200)
    const parsed = ask ? parseDocument(id, markdown) : undefined
    const added = ask && parsed?.ok ? addPhrasing(parsed.document.meta.cards, ask) : undefined
    if (added) form.cards = stringifyYaml(added.cards, { lineWidth: 0 })
    const notice = added
      ? `已把「${ask}」加到「${added.section}」小節卡片的問法，確認無誤後再發布（也可以移到更合適的小節）。`
      : ask
        ? `使用者問過：「${ask}」。這份文件還沒有答案卡片，請先為小節建立卡片。`
        : q
          ? `使用者問過：「${q}」（回答被標為沒幫助）`
          : undefined
    return c.html(<EditorPage session={session(c)} existingId={id} form={form} errors={{}} industries={baseRules().industries} notice={notice} />)
  })

  /** One handler for the editor's three buttons: preview (saves nothing), save draft, publish. */
  async function submitEditor(c: Context<ConsoleEnv>, existingId: string | undefined) {
    const s = session(c)
    const posted = await c.req.parseBody({ all: true })
    const form = formFromBody(posted)
    if (existingId) form.id = existingId
    const intent = String(posted.intent ?? 'draft')
    const page = (errors: FieldErrors, extra: { preview?: Awaited<ReturnType<typeof chunkMarkdown>>; firms?: SampleVerdict[] | undefined } = {}, status: 200 | 400 | 409 | 500 = 400) =>
      c.html(<EditorPage session={s} existingId={existingId} form={form} errors={errors} preview={extra.preview} firms={extra.firms} industries={baseRules().industries} />, status)
    const result = validateForm(form)
    if (intent === 'preview') return page(result.ok ? {} : result.errors, { preview: await chunkMarkdown(form.body) }, 200)
    if (intent === 'preview-rules') {
      const programme = result.ok ? programmeOfDocument(result.document.meta) : undefined
      return page(result.ok ? {} : result.errors, { firms: programme ? sampleVerdicts(baseRules(), programme, now()) : undefined }, 200)
    }
    if (!result.ok) return page(result.errors)
    if (!existingId && (await documentExists(db, result.document.meta.id))) return page({ id: '這個代號已被其他文件使用，請換一個' }, {}, 409)
    const actor = { staffId: s.staff.id }
    if (intent === 'publish') {
      try {
        const { version } = await publishDocument(db, embedder, result.document, actor)
        return c.redirect(withFlash(docPath(result.document.meta.id), `已發布第 ${version} 版，機器人已使用新內容`), 303)
      } catch (error) {
        deps.log.error('kb publish failed', { doc: result.document.meta.id, error: String(error) })
        return page({ form: '發布失敗，線上版本維持不變。請稍後再試；內容尚未儲存。' }, {}, 500)
      }
    }
    const version = await saveDraft(db, result.document, existingId ? 'edit' : 'create', actor)
    return c.redirect(withFlash(docPath(result.document.meta.id), `已儲存第 ${version} 版草稿（尚未發布）`), 303)
  }
  app.post('/kb/new', (c) => submitEditor(c, undefined))
  app.post('/kb/doc/:id', (c) => submitEditor(c, c.req.param('id')))

  // ---- view ----------------------------------------------------------------------------------
  app.get('/kb/doc/:id', async (c) => {
    const id = c.req.param('id')
    const [live, versions] = await Promise.all([liveDocument(db, id), versionsOf(db, id)])
    if (!live && versions.length === 0) return c.text('找不到文件', 404)
    const latest = versions[0]
    const parsed = !live && latest ? parseDocument(id, latest.markdown) : undefined
    const body = live?.body ?? (parsed?.ok ? parsed.document.body : (latest?.markdown ?? ''))
    // Live: the chunks in the index. Not live: how the stored version would be split.
    const chunks = live
      ? rowsOf<{ heading_path: string[] | string; text: string }>(await db.execute(sql`SELECT heading_path, text FROM kb_chunks WHERE document_id = ${id} ORDER BY ord`)).map((r) => ({
          headingPath: r.heading_path as string[],
          text: r.text,
        }))
      : await chunkMarkdown(body)
    const title = live?.title ?? (parsed?.ok ? parsed.document.meta.title : id)
    return c.html(
      <DocumentViewPage session={session(c)} id={id} live={live} versions={versions} chunks={chunks} body={body} title={title} flash={c.req.query('ok')} error={c.req.query('err')} />,
    )
  })

  app.get('/kb/doc/:id/v/:version', async (c) => {
    const id = c.req.param('id')
    const version = (await versionsOf(db, id)).find((v) => v.version === Number(c.req.param('version')))
    if (!version) return c.text('找不到版本', 404)
    return c.html(<VersionPage session={session(c)} id={id} version={version} />)
  })

  // ---- publish a stored draft, retire, restore -----------------------------------------------
  app.post('/kb/doc/:id/publish', async (c) => {
    const id = c.req.param('id')
    const latest = (await versionsOf(db, id))[0]
    if (!latest || latest.state !== 'draft') return c.redirect(withFlash(docPath(id), '沒有待發布的草稿'), 303)
    const parsed = parseDocument(id, latest.markdown)
    if (!parsed.ok) return c.redirect(`${docPath(id)}?err=${encodeURIComponent('草稿內容不正確，請先編輯修正')}`, 303)
    try {
      const { version } = await publishDocument(db, embedder, parsed.document, { staffId: session(c).staff.id }, 'publish', `發布第 ${latest.version} 版草稿`)
      return c.redirect(withFlash(docPath(id), `已發布第 ${version} 版，機器人已使用新內容`), 303)
    } catch (error) {
      deps.log.error('kb publish failed', { doc: id, error: String(error) })
      return c.redirect(`${docPath(id)}?err=${encodeURIComponent('發布失敗，線上版本維持不變，請稍後再試。')}`, 303)
    }
  })

  app.post('/kb/doc/:id/retire', async (c) => {
    const id = c.req.param('id')
    const version = await retireDocument(db, id, { staffId: session(c).staff.id })
    if (version === undefined) return c.redirect(`${docPath(id)}?err=${encodeURIComponent('這份文件目前不在線上')}`, 303)
    return c.redirect(withFlash(docPath(id), `已下架（第 ${version} 版），機器人不再引用這份文件`), 303)
  })

  app.post('/kb/doc/:id/restore', async (c) => {
    const id = c.req.param('id')
    const version = Number((await c.req.parseBody()).version)
    try {
      const result = await restoreVersion(db, embedder, id, version, { staffId: session(c).staff.id })
      if (!result.ok) return c.redirect(`${docPath(id)}?err=${encodeURIComponent(result.reason === 'not-found' ? '找不到這個版本' : '這個版本的內容無法通過檢查，請改用編輯')}`, 303)
      return c.redirect(withFlash(docPath(id), `已將第 ${version} 版還原為第 ${result.version} 版並發布`), 303)
    } catch (error) {
      deps.log.error('kb restore failed', { doc: id, error: String(error) })
      return c.redirect(`${docPath(id)}?err=${encodeURIComponent('還原失敗，線上版本維持不變，請稍後再試。')}`, 303)
    }
  })

  // ---- upload --------------------------------------------------------------------------------
  app.post('/kb/upload', async (c) => {
    const s = session(c)
    const body = await c.req.parseBody()
    const file = body.file
    const target = typeof body.target === 'string' && body.target ? body.target : undefined
    const back = target ? docPath(target) : '/console/kb'
    const fail = (message: string) => c.redirect(`${back}?err=${encodeURIComponent(message)}`, 303)
    if (!(file instanceof File) || file.size === 0) return fail('請選擇要上傳的檔案。')
    if (file.size > UPLOAD_LIMIT_BYTES) return fail('檔案超過 5 MB，請拆成較小的檔案再上傳。')
    let converted
    try {
      converted = await (deps.convert ?? convertUpload)(file.name, new Uint8Array(await file.arrayBuffer()))
    } catch (error) {
      if (error instanceof ConversionError) return fail(`「${file.name}」無法匯入：${error.message}`)
      deps.log.error('kb upload conversion failed', { error: String(error) })
      return fail(`「${file.name}」無法匯入：轉換時發生錯誤，請確認檔案沒有損毀。`)
    }
    const form = await prefill(target, file.name, converted)
    const result = validateForm(form)
    await audit(db, s.staff.id, 'kb.upload.convert', target ? `doc:${target}` : null, { file: file.name, kind: converted.kind, valid: result.ok })
    if (!result.ok || (!target && (await documentExists(db, result.document.meta.id)))) {
      // Shown for review, not saved: the reviewer fixes the fields and saves or publishes.
      const errors = result.ok ? { id: '這個代號已被其他文件使用，請換一個' } : result.errors
      return c.html(<EditorPage session={s} existingId={target} form={form} errors={errors} industries={baseRules().industries} notice={`已轉換「${file.name}」，請補齊欄位後儲存。`} />, 400)
    }
    const version = await saveDraft(db, result.document, 'upload', { staffId: s.staff.id }, `上傳 ${file.name}`)
    return c.redirect(withFlash(`${docPath(result.document.meta.id)}/edit`, `已將「${file.name}」轉成第 ${version} 版草稿，請檢查後發布`), 303)
  })

  /** Front-matter from the uploaded file where it has some, the target document's where it exists, sensible defaults otherwise. */
  async function prefill(target: string | undefined, fileName: string, converted: Awaited<ReturnType<typeof convertUpload>>): Promise<DocForm> {
    const base = target ? formFromMarkdown(target, (await editableMarkdown(db, target)) ?? '') : emptyForm()
    let fm: Record<string, unknown> = {}
    try {
      const parsed: unknown = converted.frontMatter ? parseYaml(converted.frontMatter) : undefined
      if (parsed && typeof parsed === 'object') fm = parsed as Record<string, unknown>
    } catch {
      // An unreadable front-matter is ignored; the reviewer fills the fields.
    }
    const pick = (key: string, fallback: string) => (typeof fm[key] === 'string' || typeof fm[key] === 'number' ? String(fm[key]) : fallback)
    const window = (fm.application_window ?? {}) as Record<string, unknown>
    return {
      // An upload replaces the text; the programme's rules stay as they were.
      ...base,
      id: target ?? pick('id', idFromName(fileName, deps.now?.() ?? new Date())),
      title: pick('title', base.title || converted.title || fileName),
      kind: pick('kind', target ? base.kind : 'reference'),
      programme: pick('programme', base.programme),
      source: pick('source', base.source || `上傳檔案：${fileName}`),
      source_date: pick('source_date', base.source_date),
      status: pick('status', base.status || 'current'),
      opens: typeof window.opens === 'string' ? window.opens : base.opens,
      closes: typeof window.closes === 'string' ? window.closes : base.closes,
      tags: Array.isArray(fm.tags) ? fm.tags.map(String).join(', ') : base.tags,
      // An upload replaces the body, so the old sections' cards are kept for the reviewer to adjust.
      cards: Array.isArray(fm.cards) ? stringifyYaml(fm.cards, { lineWidth: 0 }) : base.cards,
      body: converted.markdown,
    }
  }

  // ---- re-index all --------------------------------------------------------------------------
  app.post('/kb/reindex', async (c) => {
    const { jobId, work } = await startReindexJob(db, embedder, session(c).staff.id)
    deps.background(work)
    return c.redirect(`/console/kb/jobs/${jobId}`, 303)
  })
  app.get('/kb/jobs/:id', (c) => c.html(<JobPage session={session(c)} jobId={c.req.param('id')} />))
  app.get('/kb/jobs/:id/status', async (c) => {
    const job = await jobStatus(db, c.req.param('id'))
    if (!job) return c.json({ error: 'not found' }, 404)
    const end = job.finishedAt ? job.finishedAt.getTime() : Date.now()
    return c.json({ status: job.status, total: job.total, done: job.done, error: job.error, seconds: Math.round((end - job.startedAt.getTime()) / 100) / 10 })
  })

  return app
}
