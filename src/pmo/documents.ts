import { desc, eq, max, sql } from 'drizzle-orm'
import { stringify as stringifyYaml } from 'yaml'
import { audit } from '../console/auth.js'
import { kbDocuments, kbDocumentVersions, staff } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import type { KnowledgeEmbedder } from '../knowledge/embedder.js'
import { parseDocument, type FrontMatter, type KnowledgeDocument } from '../knowledge/frontmatter.js'
import { ingestDocuments, removeDocument, type IngestReport } from '../knowledge/ingest.js'

/**
 * Console-managed knowledge documents. Every change is a row in kb_document_versions holding the
 * whole Markdown file; the live index (kb_documents/kb_chunks) is changed in the same transaction
 * as the version row, so the history and the index never disagree, and a failed publish leaves both
 * as they were.
 *
 * A document first written as a file in knowledge/ becomes console-managed on its first console
 * change: its live content is imported as a version (action "import") first. From then on the
 * database wins — the start-up folder sync skips managed ids (src/knowledge/ingest.ts) — so a
 * restart never undoes a console change.
 */

export type VersionState = 'draft' | 'published' | 'retired'
export type VersionAction = 'create' | 'edit' | 'upload' | 'publish' | 'retire' | 'restore' | 'import'

/** A version row with who wrote it (null: the account is gone). */
export type VersionRow = Pick<typeof kbDocumentVersions.$inferSelect, 'id' | 'documentId' | 'version' | 'state' | 'markdown' | 'action' | 'note' | 'createdAt'> & {
  username: string | null
  displayName: string | null
}

/** A document of the live index. */
export type LiveRow = typeof kbDocuments.$inferSelect

/** Version rows with their authors; the caller adds the filter and the order. */
function selectVersions(db: Db) {
  const v = kbDocumentVersions
  return db
    .select({ id: v.id, documentId: v.documentId, version: v.version, state: v.state, markdown: v.markdown, action: v.action, note: v.note, createdAt: v.createdAt, username: staff.username, displayName: staff.displayName })
    .from(v)
    .leftJoin(staff, eq(staff.id, v.staffId))
}

/** The Markdown file (front-matter + body) of a document, in knowledge/README.md's field order. */
export function toMarkdown(meta: FrontMatter, body: string): string {
  const fm: Record<string, unknown> = { id: meta.id, title: meta.title, kind: meta.kind }
  if (meta.programme) fm.programme = meta.programme
  fm.source = meta.source
  if (meta.source_date) fm.source_date = meta.source_date
  fm.status = meta.status
  const w = meta.application_window
  if (w && (w.opens || w.closes)) fm.application_window = { ...(w.opens ? { opens: w.opens } : {}), ...(w.closes ? { closes: w.closes } : {}) }
  fm.tags = meta.tags
  if (meta.cards.length > 0) fm.cards = meta.cards
  if (meta.eligibility) fm.eligibility = meta.eligibility
  // Dates stay strings: YAML would otherwise read 2024-05-02 back as a Date (the schema accepts both).
  return `---\n${stringifyYaml(fm, { lineWidth: 0, defaultStringType: 'PLAIN', flowCollectionPadding: false }).trim()}\n---\n\n${body.trim()}\n`
}

export function liveToMeta(r: LiveRow): FrontMatter {
  return {
    id: r.id,
    title: r.title,
    kind: r.kind as FrontMatter['kind'],
    ...(r.programme ? { programme: r.programme } : {}),
    source: r.source,
    ...(r.sourceDate ? { source_date: r.sourceDate } : {}),
    status: r.status as FrontMatter['status'],
    ...(r.windowOpens || r.windowCloses
      ? { application_window: { ...(r.windowOpens ? { opens: r.windowOpens } : {}), ...(r.windowCloses ? { closes: r.windowCloses } : {}) } }
      : {}),
    tags: r.tags,
    cards: r.cards,
  }
}

export async function liveDocument(db: Db, id: string): Promise<LiveRow | undefined> {
  const [row] = await db.select().from(kbDocuments).where(eq(kbDocuments.id, id))
  return row
}

export async function versionsOf(db: Db, id: string): Promise<VersionRow[]> {
  return selectVersions(db).where(eq(kbDocumentVersions.documentId, id)).orderBy(desc(kbDocumentVersions.version))
}

export interface DocumentSummary {
  id: string
  title: string
  kind: string
  programme: string | null
  /** Front-matter status: current | closed | planned. */
  status: string
  sourceDate: string | null
  tags: string[]
  /** file: indexed from knowledge/ and never edited here; published/retired: console-managed; draft: never published. */
  state: 'file' | VersionState
  /** A draft newer than the live version awaits review. */
  pendingDraft: boolean
  live: boolean
  updatedAt: Date
  updatedBy: string | null
  /** Searchable text (body). */
  text: string
}

/** Every document: the indexed ones and the console-managed ones (drafts and retired included). */
export async function listDocuments(db: Db, query?: string): Promise<DocumentSummary[]> {
  const live = await db.select().from(kbDocuments)
  const versions = await selectVersions(db).orderBy(kbDocumentVersions.documentId, desc(kbDocumentVersions.version))
  const byDoc = new Map<string, VersionRow[]>()
  for (const v of versions) byDoc.set(v.documentId, [...(byDoc.get(v.documentId) ?? []), v])
  const out = new Map<string, DocumentSummary>()
  for (const r of live) {
    out.set(r.id, {
      id: r.id, title: r.title, kind: r.kind, programme: r.programme, status: r.status, sourceDate: r.sourceDate, tags: r.tags,
      state: 'file', pendingDraft: false, live: true, updatedAt: r.updatedAt, updatedBy: null, text: r.body,
    })
  }
  for (const [id, vs] of byDoc) {
    const latest = vs[0]!
    const settled = vs.find((v) => v.state !== 'draft')
    const parsed = parseDocument(id, latest.markdown)
    const meta = parsed.ok ? parsed.document.meta : undefined
    const existing = out.get(id)
    out.set(id, {
      id,
      title: existing?.title ?? meta?.title ?? id,
      kind: existing?.kind ?? meta?.kind ?? '',
      programme: existing?.programme ?? meta?.programme ?? null,
      status: existing?.status ?? meta?.status ?? '',
      sourceDate: existing?.sourceDate ?? meta?.source_date ?? null,
      tags: existing?.tags ?? meta?.tags ?? [],
      state: settled?.state ?? 'draft',
      pendingDraft: latest.state === 'draft' && settled !== undefined,
      live: existing !== undefined,
      updatedAt: latest.createdAt,
      updatedBy: latest.displayName,
      text: parsed.ok ? parsed.document.body : latest.markdown,
    })
  }
  const q = query?.trim().toLowerCase()
  return [...out.values()]
    .filter((d) => !q || [d.id, d.title, d.programme ?? '', d.tags.join(' '), d.text].some((s) => s.toLowerCase().includes(q)))
    .sort((a, b) => a.title.localeCompare(b.title, 'zh-Hant-TW'))
}

/** The Markdown to edit: the newest version, else the live row of a file document. */
export async function editableMarkdown(db: Db, id: string): Promise<string | undefined> {
  const latest = (await versionsOf(db, id))[0]
  if (latest) return latest.markdown
  const live = await liveDocument(db, id)
  return live ? toMarkdown(liveToMeta(live), live.body) : undefined
}

export async function documentExists(db: Db, id: string): Promise<boolean> {
  // One round trip over both tables: a live document or any version of one.
  const rows = rowsOf(await db.execute(sql`SELECT 1 FROM kb_documents WHERE id = ${id} UNION ALL SELECT 1 FROM kb_document_versions WHERE document_id = ${id} LIMIT 1`))
  return rows.length > 0
}

export interface Actor {
  staffId: string
}

/** Writes one version row; before a file document's first one, its live content as version 1 ("import"). */
async function appendVersion(
  tx: Db,
  id: string,
  row: { state: VersionState; markdown: string; action: VersionAction; note?: string | undefined },
  actor: Actor,
  importFrom: string | undefined,
): Promise<number> {
  const [last] = await tx
    .select({ n: max(kbDocumentVersions.version) })
    .from(kbDocumentVersions)
    .where(eq(kbDocumentVersions.documentId, id))
  let next = (last?.n ?? 0) + 1
  if (next === 1 && importFrom !== undefined) {
    await tx
      .insert(kbDocumentVersions)
      .values({ documentId: id, version: 1, state: 'published', markdown: importFrom, action: 'import', staffId: actor.staffId, note: '由 knowledge/ 資料夾的檔案匯入' })
    next = 2
  }
  await tx
    .insert(kbDocumentVersions)
    .values({ documentId: id, version: next, state: row.state, markdown: row.markdown, action: row.action, staffId: actor.staffId, note: row.note ?? null })
  return next
}

/** The live content of a file document not yet managed here (to import before the first change). */
async function importSource(db: Db, id: string): Promise<string | undefined> {
  if ((await versionsOf(db, id)).length > 0) return undefined
  const live = await liveDocument(db, id)
  return live ? toMarkdown(liveToMeta(live), live.body) : undefined
}

export async function saveDraft(db: Db, doc: KnowledgeDocument, action: 'create' | 'edit' | 'upload', actor: Actor, note?: string): Promise<number> {
  const markdown = toMarkdown(doc.meta, doc.body)
  const importFrom = await importSource(db, doc.meta.id)
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    const version = await appendVersion(tx, doc.meta.id, { state: 'draft', markdown, action, note }, actor, importFrom)
    await audit(tx, actor.staffId, `kb.${action}`, `doc:${doc.meta.id}`, { version, state: 'draft' })
    return version
  })
}

export interface PublishResult {
  version: number
  report: IngestReport
}

/**
 * Validated document → published version + live index, in one transaction (ingestDocuments embeds
 * first, then swaps). Any failure — an embedding error, a database error — rolls back both.
 */
export async function publishDocument(
  db: Db,
  embedder: KnowledgeEmbedder,
  doc: KnowledgeDocument,
  actor: Actor,
  action: 'publish' | 'restore' = 'publish',
  note?: string,
): Promise<PublishResult> {
  const markdown = toMarkdown(doc.meta, doc.body)
  const importFrom = await importSource(db, doc.meta.id)
  let version = 0
  const report = await ingestDocuments(db, embedder, [{ ...doc, path: `console:${doc.meta.id}` }], {
    removeMissing: false,
    inTransaction: async (tx) => {
      version = await appendVersion(tx, doc.meta.id, { state: 'published', markdown, action, note }, actor, importFrom)
      await audit(tx, actor.staffId, `kb.${action}`, `doc:${doc.meta.id}`, { version, ...(note ? { note } : {}) })
    },
  })
  return { version, report }
}

/** Takes a document out of the live index; its versions stay, and any can be restored. */
export async function retireDocument(db: Db, id: string, actor: Actor): Promise<number | undefined> {
  const live = await liveDocument(db, id)
  if (!live) return undefined
  const markdown = toMarkdown(liveToMeta(live), live.body)
  const importFrom = await importSource(db, id)
  let version = 0
  await removeDocument(db, id, async (tx) => {
    version = await appendVersion(tx, id, { state: 'retired', markdown, action: 'retire' }, actor, importFrom)
    await audit(tx, actor.staffId, 'kb.retire', `doc:${id}`, { version })
  })
  return version
}

export type RestoreResult = { ok: true; version: number } | { ok: false; reason: 'not-found' | 'invalid' }

/** Publishes an earlier version's content again, as a new version. */
export async function restoreVersion(db: Db, embedder: KnowledgeEmbedder, id: string, version: number, actor: Actor): Promise<RestoreResult> {
  const row = (await versionsOf(db, id)).find((v) => v.version === version)
  if (!row) return { ok: false, reason: 'not-found' }
  const parsed = parseDocument(id, row.markdown)
  if (!parsed.ok || parsed.document.meta.id !== id) return { ok: false, reason: 'invalid' }
  const result = await publishDocument(db, embedder, parsed.document, actor, 'restore', `還原自第 ${version} 版`)
  return { ok: true, version: result.version }
}
