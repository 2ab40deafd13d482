import { sql, type SQL } from 'drizzle-orm'
import pgvector from 'pgvector'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import type { KnowledgeEmbedder } from './embedder.js'
import { getMeta } from './ingest.js'
import { expandQuery } from './expand.js'
import { tokenize } from './text.js'
import type { AnswerCard } from './frontmatter.js'

export interface SearchFilters {
  kind?: string[]
  programme?: string[]
  status?: string[]
}

export interface SearchOptions {
  limit?: number
  filters?: SearchFilters
  /** How many candidates each retriever contributes to the fusion. */
  candidates?: number
  /** Exact nearest neighbours instead of the HNSW index (for recall measurements). */
  exact?: boolean
}

export interface SearchHit {
  chunkHash: string
  documentId: string
  title: string
  headingPath: string[]
  text: string
  kind: string
  programme: string | null
  source: string
  sourceDate: string | null
  status: string
  windowCloses: string | null
  windowOpens: string | null
  /** The answer card of the chunk's section, if it has one. */
  card: AnswerCard | null
  /** Reciprocal-rank-fusion score; higher is better. */
  score: number
  vectorRank: number | null
  lexicalRank: number | null
}

const RRF_K = 60
/** From this many passages asked for, the best full-text match is always among them. */
const BEST_TEXT_FROM = 5
const BM25_K1 = 1.2
const BM25_B = 0.75

function filterSql(filters: SearchFilters | undefined): SQL {
  const parts: SQL[] = []
  const inList = (column: string, values: string[] | undefined) => {
    if (values && values.length > 0) parts.push(sql`${sql.raw(column)} IN (${sql.join(values.map((v) => sql`${v}`), sql`, `)})`)
  }
  inList('d.kind', filters?.kind)
  inList('d.programme', filters?.programme)
  inList('d.status', filters?.status)
  return parts.length > 0 ? sql`AND ${sql.join(parts, sql` AND `)}` : sql``
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`
}

/** Nearest chunks by cosine distance, through the model's HNSW index (or an exact scan). */
export async function vectorCandidates(db: Db, embedder: KnowledgeEmbedder, query: string, options: SearchOptions = {}): Promise<string[]> {
  const dims = Number(await getMeta(db, `dimensions:${embedder.model}`))
  if (!dims) return []
  const q = await embedder.embedQuery(query)
  const vec = sql`${pgvector.toSql(q)}::vector(${sql.raw(String(dims))})`
  const column = sql.raw(`e.embedding::vector(${dims})`)
  // The model is inlined so the planner can match the per-model partial index.
  const model = sql.raw(literal(embedder.model))
  const distance = options.exact ? sql`(${column} <=> ${vec}) + 0` : sql`${column} <=> ${vec}`
  const limit = options.candidates ?? 50
  // hnsw.ef_search and hnsw.iterative_scan are set for every connection when it opens (src/db),
  // so this is one statement and no transaction: on PGlite it holds the database only this long.
  const rows = rowsOf<{ hash: string }>(
    await db.execute(sql`
      SELECT e.chunk_hash AS hash FROM kb_embeddings e
      JOIN kb_chunks c ON c.hash = e.chunk_hash JOIN kb_documents d ON d.id = c.document_id
      WHERE e.model = ${model} ${filterSql(options.filters)}
      ORDER BY ${distance} LIMIT ${limit}`),
  )
  return rows.map((r) => r.hash)
}

/**
 * Full-text candidates: Postgres finds chunks sharing the query's rarer tokens (GIN over the
 * segmented text), then BM25 ranks them with the corpus' document frequencies.
 */
export interface TermStatistics {
  /** Chunks in the index. */
  n: number
  avgdl: number
  /** BM25 idf of each given token that occurs in the index. */
  idf: Map<string, number>
  /** The idf a token would have if it occurred once: the weight of a word the index lacks. */
  unseenIdf: number
}

export async function termStatistics(db: Db, tokens: string[]): Promise<TermStatistics> {
  const distinct = [...new Set(tokens)]
  const n = Number((await getMeta(db, 'chunk_count')) ?? 0)
  const avgdl = Number((await getMeta(db, 'avg_chunk_tokens')) ?? 1) || 1
  const bm25Idf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5))
  const dfRows =
    distinct.length === 0 ? [] : rowsOf<{ term: string; df: number }>(await db.execute(sql`SELECT term, df FROM kb_terms WHERE term = ANY(string_to_array(${distinct.join(' ')}, ' '))`))
  return { n, avgdl, idf: new Map(dfRows.map((r) => [r.term, bm25Idf(Number(r.df))])), unseenIdf: bm25Idf(1) }
}

/** A chunk's token counts for BM25. */
interface TermCounts {
  length: number
  tf: Map<string, number>
}

/**
 * Token counts by chunk hash. A hash covers the chunk's content, so an entry can never be stale; the
 * cache spares re-reading and re-splitting the token lists of the same chunks on every question
 * (that transfer was half the lexical query's time on PGlite).
 */
const termCountCache = new Map<string, TermCounts>()
const TERM_COUNT_CACHE_MAX = 20_000

async function termCountsOf(db: Db, hashes: string[]): Promise<Map<string, TermCounts>> {
  const found = new Map<string, TermCounts>()
  const missing: string[] = []
  for (const h of hashes) {
    const c = termCountCache.get(h)
    if (c) found.set(h, c)
    else missing.push(h)
  }
  if (missing.length > 0) {
    const rows = rowsOf<{ hash: string; tokens: string }>(await db.execute(sql`SELECT hash, tokens FROM kb_chunks WHERE hash = ANY(${`{${missing.join(',')}}`}::text[])`))
    for (const r of rows) {
      const tokens = r.tokens.split(' ')
      const tf = new Map<string, number>()
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1)
      const counts = { length: tokens.length, tf }
      // Oldest first out once full (a Map iterates in insertion order).
      if (termCountCache.size >= TERM_COUNT_CACHE_MAX) termCountCache.delete(termCountCache.keys().next().value!)
      termCountCache.set(r.hash, counts)
      found.set(r.hash, counts)
    }
  }
  return found
}

export async function lexicalCandidates(db: Db, query: string, options: SearchOptions = {}): Promise<string[]> {
  const qTokens = tokenize(query)
  if (qTokens.length === 0) return []
  const { n, avgdl, idf } = await termStatistics(db, qTokens)
  if (n === 0 || idf.size === 0) return []
  // Match on the most informative terms only, so common words do not flood the candidates.
  const matchTerms = [...idf.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([t]) => t)
  const tsquery = matchTerms.map(literal).join(' | ')
  const hashes = rowsOf<{ hash: string }>(
    await db.execute(sql`
      SELECT c.hash FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id
      WHERE c.tsv @@ ${tsquery}::tsquery ${filterSql(options.filters)}
      ORDER BY ts_rank(c.tsv, ${tsquery}::tsquery) DESC LIMIT 400`),
  ).map((r) => r.hash)
  const counts = await termCountsOf(db, hashes)
  const queryCounts = new Map<string, number>()
  for (const t of qTokens) if (idf.has(t)) queryCounts.set(t, (queryCounts.get(t) ?? 0) + 1)
  const scored = hashes.map((hash) => {
    const chunk = counts.get(hash)
    let score = 0
    if (chunk) {
      for (const [term, qf] of queryCounts) {
        const f = chunk.tf.get(term) ?? 0
        if (f === 0) continue
        score += idf.get(term)! * ((f * (BM25_K1 + 1)) / (f + BM25_K1 * (1 - BM25_B + (BM25_B * chunk.length) / avgdl))) * (1 + Math.log(qf))
      }
    }
    return { hash, score }
  })
  scored.sort((a, b) => b.score - a.score)
  return scored.slice(0, options.candidates ?? 50).map((s) => s.hash)
}

/** Hybrid retrieval: vector and full-text candidates fused by reciprocal rank, the vectors weighted by their embedder. */
export async function searchKnowledge(db: Db, embedder: KnowledgeEmbedder, rawQuery: string, options: SearchOptions = {}): Promise<SearchHit[]> {
  const query = expandQuery(rawQuery)
  const [vector, lexical] = await Promise.all([vectorCandidates(db, embedder, query, options), lexicalCandidates(db, query, options)])
  const fused = new Map<string, { score: number; vectorRank: number | null; lexicalRank: number | null }>()
  const add = (hashes: string[], key: 'vectorRank' | 'lexicalRank', weight = 1) =>
    hashes.forEach((hash, i) => {
      const entry = fused.get(hash) ?? { score: 0, vectorRank: null, lexicalRank: null }
      entry.score += weight / (RRF_K + i + 1)
      entry[key] = i + 1
      fused.set(hash, entry)
    })
  add(vector, 'vectorRank', embedder.fusionWeight ?? 1)
  add(lexical, 'lexicalRank')
  const ranked = [...fused.entries()].sort((a, b) => b[1].score - a[1].score)
  const top = ranked.slice(0, options.limit ?? 5)
  // A pool of passages always holds the best full-text match: a chunk that matches the question's rare
  // words best but that the vectors never rank has only half a fused score, and chunks both rank
  // moderately pass it. A pick of one or two (a part of a question) keeps the fused best.
  const bestText = lexical[0]
  if (top.length >= BEST_TEXT_FROM && bestText !== undefined && !top.some(([hash]) => hash === bestText)) top.splice(top.length - 1, 1, ranked.find(([hash]) => hash === bestText)!)
  if (top.length === 0) return []
  const details = rowsOf<{
    hash: string; document_id: string; title: string; heading_path: string[] | string; text: string; kind: string
    programme: string | null; source: string; source_date: string | null; status: string; window_closes: string | null
    window_opens: string | null; card: AnswerCard | string | null
  }>(
    await db.execute(sql`
      SELECT c.hash, c.document_id, d.title, c.heading_path, c.text, d.kind, d.programme, d.source, d.source_date, d.status, d.window_closes,
        d.window_opens, c.card
      FROM kb_chunks c JOIN kb_documents d ON d.id = c.document_id
      WHERE c.hash IN (${sql.join(top.map(([h]) => sql`${h}`), sql`, `)})`),
  )
  const byHash = new Map(details.map((d) => [d.hash, d]))
  return top.flatMap(([hash, f]) => {
    const d = byHash.get(hash)
    if (!d) return []
    return [{
      chunkHash: hash,
      documentId: d.document_id,
      title: d.title,
      headingPath: d.heading_path as string[],
      text: d.text,
      kind: d.kind,
      programme: d.programme,
      source: d.source,
      sourceDate: d.source_date,
      status: d.status,
      windowCloses: d.window_closes,
      windowOpens: d.window_opens,
      card: d.card as AnswerCard,
      score: Math.round(f.score * 1e5) / 1e5,
      vectorRank: f.vectorRank,
      lexicalRank: f.lexicalRank,
    }]
  })
}
