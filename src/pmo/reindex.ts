import { sql } from 'drizzle-orm'
import { audit } from '../console/auth.js'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import type { KnowledgeEmbedder } from '../knowledge/embedder.js'
import type { KnowledgeDocument } from '../knowledge/frontmatter.js'
import { ingestDocuments } from '../knowledge/ingest.js'
import { liveToMeta, type LiveRow } from './documents.js'

/**
 * "Re-index all": rebuilds every live document's chunks and embeddings from what is stored (files
 * and console versions alike), re-embedding every chunk — what is needed after a chunker or embedding
 * change. Progress goes to a kb_jobs row; the swap is one transaction, so the bot answers from the
 * old index until the new one is complete, and a failure leaves the old one.
 */

export interface JobRow {
  id: string
  status: 'running' | 'done' | 'failed'
  total: number
  done: number
  error: string | null
  started_at: string | Date
  finished_at: string | Date | null
}

export async function startReindexJob(db: Db, embedder: KnowledgeEmbedder, staffId: string): Promise<{ jobId: string; work: Promise<void> }> {
  const jobId = crypto.randomUUID()
  const live = rowsOf<LiveRow>(await db.execute(sql`SELECT * FROM kb_documents ORDER BY id`))
  await db.execute(sql`INSERT INTO kb_jobs (id, kind, status, total, done, staff_id) VALUES (${jobId}, 'reindex-all', 'running', ${live.length}, 0, ${staffId})`)
  await audit(db, staffId, 'kb.reindex', `job:${jobId}`, { documents: live.length })
  const documents: KnowledgeDocument[] = live.map((r) => ({ meta: liveToMeta(r), body: r.body, path: r.path }))
  const work = ingestDocuments(db, embedder, documents, {
    removeMissing: false,
    forceEmbed: true,
    onProgress: async (done) => {
      await db.execute(sql`UPDATE kb_jobs SET done = ${done} WHERE id = ${jobId}`)
    },
  }).then(
    async () => {
      await db.execute(sql`UPDATE kb_jobs SET status = 'done', done = total, finished_at = now() WHERE id = ${jobId}`)
    },
    async (error: unknown) => {
      await db.execute(sql`UPDATE kb_jobs SET status = 'failed', error = ${String((error as Error).message ?? error).slice(0, 500)}, finished_at = now() WHERE id = ${jobId}`)
      throw error
    },
  )
  return { jobId, work }
}

export async function jobStatus(db: Db, jobId: string): Promise<JobRow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(jobId)) return undefined
  return rowsOf<JobRow>(await db.execute(sql`SELECT id, status, total, done, error, started_at, finished_at FROM kb_jobs WHERE id = ${jobId}::uuid`))[0]
}
