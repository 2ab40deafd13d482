import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import pgvector from 'pgvector'
import { eq, sql } from 'drizzle-orm'
import { kbMeta } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import { chunkMarkdown } from './chunker.js'
import type { KnowledgeEmbedder } from './embedder.js'
import { parseDocument, type AnswerCard, type DocumentIssue, type KnowledgeDocument } from './frontmatter.js'
import { tokenize } from './text.js'

export interface LoadedKnowledge {
  documents: KnowledgeDocument[]
  issues: DocumentIssue[]
  /** Changes whenever any file's content or name changes. */
  fingerprint: string
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return Buffer.from(digest).toString('hex')
}

async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.md') && e.name !== 'README.md')
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

/** Reads and validates every Markdown file in the folder; a bad file is reported and skipped, the rest load. */
export async function loadKnowledgeDir(dir: string): Promise<LoadedKnowledge> {
  const documents: KnowledgeDocument[] = []
  const issues: DocumentIssue[] = []
  const seen = new Map<string, string>()
  const parts: string[] = []
  for (const file of await markdownFiles(dir)) {
    const path = relative(dir, file)
    const source = await readFile(file, 'utf8')
    parts.push(path, source)
    const result = parseDocument(path, source)
    if (!result.ok) {
      issues.push(...result.issues)
      continue
    }
    const other = seen.get(result.document.meta.id)
    if (other) {
      issues.push({ file: path, field: 'id', message: `"${result.document.meta.id}" is already used by ${other}` })
      continue
    }
    seen.set(result.document.meta.id, path)
    documents.push(result.document)
  }
  return { documents, issues, fingerprint: await sha256(parts.join('\u0000')) }
}

export interface PreparedChunk {
  hash: string
  documentId: string
  ord: number
  headingPath: string[]
  text: string
  /**
   * What is embedded and searched: title and headings give a chunk its context, and its card's lead
   * and phrasings the everyday words people ask it with.
   */
  contextText: string
  tokens: string[]
  card: AnswerCard | undefined
}

/** The card of the section a chunk lies in (cards name their `##` heading). */
export function cardFor(cards: AnswerCard[], headingPath: string[]): AnswerCard | undefined {
  return cards.find((card) => headingPath.includes(card.section))
}

export async function prepareChunks(doc: KnowledgeDocument): Promise<PreparedChunk[]> {
  const chunks = await chunkMarkdown(doc.body)
  return Promise.all(
    chunks.map(async (c) => {
      const card = cardFor(doc.meta.cards, c.headingPath)
      const contextText = [doc.meta.title, c.headingPath.join(' > '), c.text, card?.lead, ...(card?.asks ?? [])].filter(Boolean).join('\n')
      return {
        hash: await sha256(`${doc.meta.id}\u0000${contextText}`),
        documentId: doc.meta.id,
        ord: c.ord,
        headingPath: c.headingPath,
        text: c.text,
        contextText,
        tokens: tokenize(contextText),
        card,
      }
    }),
  )
}

export interface IngestReport {
  documents: number
  chunks: number
  /** Chunks embedded in this run (unchanged chunks keep their vectors). */
  embedded: number
  removedDocuments: number
  removedChunks: number
  ms: number
}

export interface IngestOptions {
  /**
   * Delete stored documents that are not in `documents` (a full sync of the folder). Documents
   * managed in the PMO console (any row in kb_document_versions) are left alone by such a sync:
   * their newest console version wins over the folder's file, and they are never removed by it.
   */
  removeMissing: boolean
  fingerprint?: string
  embedBatch?: number
  /** Re-embed every chunk, also those whose vectors are stored (a full rebuild). */
  forceEmbed?: boolean
  /** Called after each document's chunks are embedded (the console's progress bar). */
  onProgress?: (done: number, total: number) => void | Promise<void>
  /** Extra writes committed in the same transaction as the index swap (e.g. the version row of a publish). */
  inTransaction?: (tx: Db) => Promise<void>
}

/** Ids of documents the PMO console manages; a folder sync skips them. */
export async function consoleManagedIds(db: Db): Promise<Set<string>> {
  return new Set(rowsOf<{ document_id: string }>(await db.execute(sql`SELECT DISTINCT document_id FROM kb_document_versions`)).map((r) => r.document_id))
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

/** A safe SQL identifier/literal fragment for a model name (names are ours or an env setting). */
function modelSlug(model: string): string {
  return model.replace(/[^a-zA-Z0-9]+/g, '_').toLowerCase().slice(0, 40)
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

export async function ensureVectorIndex(db: Db, model: string, dimensions: number): Promise<void> {
  await db.execute(
    sql.raw(
      `CREATE INDEX IF NOT EXISTS kb_embeddings_hnsw_${modelSlug(model)}_${dimensions} ON kb_embeddings ` +
        `USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops) WHERE model = ${literal(model)}`,
    ),
  )
}

/**
 * Brings the index in line with `documents`, atomically: embeddings are computed first, only for
 * chunks whose content is new, and then one transaction swaps everything in, so readers see the old
 * index or the new one, never a mix.
 */
export async function ingestDocuments(db: Db, embedder: KnowledgeEmbedder, allDocuments: KnowledgeDocument[], options: IngestOptions): Promise<IngestReport> {
  const started = performance.now()
  let documents = allDocuments
  if (options.removeMissing) {
    const managed = await consoleManagedIds(db)
    if (managed.size > 0) documents = allDocuments.filter((d) => !managed.has(d.meta.id))
  }
  const perDocument = await Promise.all(documents.map(prepareChunks))
  const prepared = perDocument.flat()
  const known = options.forceEmbed
    ? new Set<string>()
    : new Set(rowsOf<{ chunk_hash: string }>(await db.execute(sql`SELECT chunk_hash FROM kb_embeddings WHERE model = ${embedder.model}`)).map((r) => r.chunk_hash))
  const toEmbed = prepared.filter((c) => !known.has(c.hash))
  const vectors: number[][] = []
  const batch = options.embedBatch ?? 256
  if (options.onProgress) {
    // Document by document, so progress can be reported; the swap below is still one transaction.
    const pending = new Set(toEmbed.map((c) => c.hash))
    for (const [i, chunks] of perDocument.entries()) {
      const mine = chunks.filter((c) => pending.has(c.hash))
      for (let j = 0; j < mine.length; j += batch) vectors.push(...(await embedder.embedDocuments(mine.slice(j, j + batch).map((c) => c.contextText))))
      await options.onProgress(i + 1, perDocument.length)
    }
    // Same order as toEmbed: perDocument.flat() filtered by `pending` is exactly toEmbed.
  } else {
    for (let i = 0; i < toEmbed.length; i += batch) vectors.push(...(await embedder.embedDocuments(toEmbed.slice(i, i + batch).map((c) => c.contextText))))
  }
  const dimensions = vectors[0]?.length ?? (await embedder.embedQuery('維度')).length

  const docIds = documents.map((d) => d.meta.id)
  const report = await db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    let removedDocuments = 0
    if (options.removeMissing) {
      const removed = await tx.execute(
        docIds.length > 0
          ? sql`DELETE FROM kb_documents WHERE id NOT IN (${sql.join(docIds.map((id) => sql`${id}`), sql`, `)})
              AND id NOT IN (SELECT document_id FROM kb_document_versions) RETURNING id`
          : sql`DELETE FROM kb_documents WHERE id NOT IN (SELECT document_id FROM kb_document_versions) RETURNING id`,
      )
      removedDocuments = rowsOf(removed).length
    }
    for (const doc of documents) {
      const m = doc.meta
      const hash = await sha256(JSON.stringify(m) + doc.body)
      await tx.execute(sql`
        INSERT INTO kb_documents (id, title, kind, programme, source, source_date, status, window_opens, window_closes, tags, cards, path, body, hash, updated_at)
        VALUES (${m.id}, ${m.title}, ${m.kind}, ${m.programme ?? null}, ${m.source}, ${m.source_date ?? null}, ${m.status},
          ${m.application_window?.opens ?? null}, ${m.application_window?.closes ?? null}, ${JSON.stringify(m.tags)}::jsonb, ${JSON.stringify(m.cards)}::jsonb, ${doc.path}, ${doc.body}, ${hash}, now())
        ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, kind = EXCLUDED.kind, programme = EXCLUDED.programme, source = EXCLUDED.source,
          source_date = EXCLUDED.source_date, status = EXCLUDED.status, window_opens = EXCLUDED.window_opens, window_closes = EXCLUDED.window_closes,
          tags = EXCLUDED.tags, cards = EXCLUDED.cards, path = EXCLUDED.path, body = EXCLUDED.body,
          updated_at = CASE WHEN kb_documents.hash = EXCLUDED.hash THEN kb_documents.updated_at ELSE now() END, hash = EXCLUDED.hash`)
    }
    // Chunks of these documents that no longer exist.
    let removedChunks = 0
    const keep = prepared.map((c) => c.hash)
    if (docIds.length > 0) {
      const gone = await tx.execute(sql`
        DELETE FROM kb_chunks WHERE document_id IN (${sql.join(docIds.map((id) => sql`${id}`), sql`, `)})
        ${keep.length > 0 ? sql`AND hash NOT IN (${sql.join(keep.map((h) => sql`${h}`), sql`, `)})` : sql``}
        RETURNING hash`)
      removedChunks = rowsOf(gone).length
    }
    for (const part of batches(prepared, 200)) {
      const rows = part.map(
        (c) => sql`(${c.hash}, ${c.documentId}, ${c.ord}, ${JSON.stringify(c.headingPath)}::jsonb, ${c.text}, ${c.tokens.join(' ')},
          array_to_tsvector(string_to_array(${[...new Set(c.tokens)].join(' ')}, ' ')), ${c.card ? JSON.stringify(c.card) : null}::jsonb)`,
      )
      await tx.execute(sql`
        INSERT INTO kb_chunks (hash, document_id, ord, heading_path, text, tokens, tsv, card) VALUES ${sql.join(rows, sql`, `)}
        ON CONFLICT (hash) DO UPDATE SET ord = EXCLUDED.ord, tokens = EXCLUDED.tokens, tsv = EXCLUDED.tsv, card = EXCLUDED.card`)
    }
    const embedded = toEmbed.map((c, i) => ({ hash: c.hash, vector: vectors[i]! }))
    for (const part of batches(embedded, 200)) {
      const rows = part.map((e) => sql`(${e.hash}, ${embedder.model}, ${pgvector.toSql(e.vector)}::vector)`)
      await tx.execute(sql`
        INSERT INTO kb_embeddings (chunk_hash, model, embedding) VALUES ${sql.join(rows, sql`, `)}
        ON CONFLICT (chunk_hash, model) DO UPDATE SET embedding = EXCLUDED.embedding`)
    }
    await ensureVectorIndex(tx, embedder.model, dimensions)
    await refreshStatistics(tx)
    if (options.fingerprint) await setMeta(tx, 'fingerprint', options.fingerprint)
    await setMeta(tx, `dimensions:${embedder.model}`, String(dimensions))
    await options.inTransaction?.(tx)
    return { removedDocuments, removedChunks }
  })
  return { documents: documents.length, chunks: prepared.length, embedded: toEmbed.length, ...report, ms: Math.round(performance.now() - started) }
}

/** Takes one document out of the live index (its chunks and vectors go with it), atomically with `inTransaction`. */
export async function removeDocument(db: Db, id: string, inTransaction?: (tx: Db) => Promise<void>): Promise<boolean> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Db
    const removed = rowsOf(await tx.execute(sql`DELETE FROM kb_documents WHERE id = ${id} RETURNING id`)).length > 0
    await refreshStatistics(tx)
    await inTransaction?.(tx)
    return removed
  })
}

/** Document frequencies and average chunk length for BM25; recomputed inside the ingest transaction. */
export async function refreshStatistics(db: Db): Promise<void> {
  await db.execute(sql`DELETE FROM kb_terms`)
  await db.execute(sql`INSERT INTO kb_terms (term, df) SELECT t, count(*) FROM kb_chunks, unnest(tsvector_to_array(tsv)) AS t GROUP BY t`)
  // count(*) is a bigint (a number from the adapters); avg() a numeric, which both drivers return as text.
  const stats = rowsOf<{ n: number; avg: string | null }>(
    await db.execute(sql`SELECT count(*) AS n, avg(array_length(string_to_array(tokens, ' '), 1)) AS avg FROM kb_chunks`),
  )[0]!
  await setMeta(db, 'chunk_count', String(stats.n))
  await setMeta(db, 'avg_chunk_tokens', String(Number(stats.avg ?? 0)))
}

export async function setMeta(db: Db, key: string, value: string): Promise<void> {
  await db.insert(kbMeta).values({ key, value }).onConflictDoUpdate({ target: kbMeta.key, set: { value } })
}

export async function getMeta(db: Db, key: string): Promise<string | undefined> {
  return (await db.select({ value: kbMeta.value }).from(kbMeta).where(eq(kbMeta.key, key)))[0]?.value
}

/**
 * Ingests the folder when its content changed since the last run or the embedding model has
 * vectors missing (e.g. after switching models). Returns undefined when nothing needed doing.
 */
export async function syncKnowledgeDir(db: Db, embedder: KnowledgeEmbedder, dir: string): Promise<(IngestReport & { issues: DocumentIssue[] }) | undefined> {
  const loaded = await loadKnowledgeDir(dir)
  const same = (await getMeta(db, 'fingerprint')) === loaded.fingerprint
  const missing = rowsOf<{ n: number }>(
    await db.execute(sql`SELECT count(*) AS n FROM kb_chunks c WHERE NOT EXISTS (SELECT 1 FROM kb_embeddings e WHERE e.chunk_hash = c.hash AND e.model = ${embedder.model})`),
  )[0]!
  if (same && missing.n === 0) return undefined
  const report = await ingestDocuments(db, embedder, loaded.documents, { removeMissing: true, fingerprint: loaded.fingerprint })
  return { ...report, issues: loaded.issues }
}
