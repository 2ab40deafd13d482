import { eq, sql } from 'drizzle-orm'
import { audit } from '../console/auth.js'
import { kbDocuments, kbJobs } from '../db/schema.js'
import type { Db } from '../db/types.js'
import type { KnowledgeEmbedder } from '../knowledge/embedder.js'
import type { KnowledgeDocument } from '../knowledge/frontmatter.js'
import { ingestDocuments } from '../knowledge/ingest.js'
import { liveToMeta } from './documents.js'

/**
 * "Re-index all": rebuilds every live document's chunks and embeddings from what is stored (files
 * and console versions alike), re-embedding every chunk — what is needed after a chunker or embedding
 * change. Progress goes to a kb_jobs row; the swap is one transaction, so the bot answers from the
 * old index until the new one is complete, and a failure leaves the old one.
 */

export type JobRow = Pick<typeof kbJobs.$inferSelect, 'id' | 'status' | 'total' | 'done' | 'error' | 'startedAt' | 'finishedAt'>

export async function startReindexJob(db: Db, embedder: KnowledgeEmbedder, staffId: string): Promise<{ jobId: string; work: Promise<void> }> {
  const jobId = crypto.randomUUID()
  const live = await db.select().from(kbDocuments).orderBy(kbDocuments.id)
  await db.insert(kbJobs).values({ id: jobId, kind: 'reindex-all', status: 'running', total: live.length, done: 0, staffId })
  await audit(db, staffId, 'kb.reindex', `job:${jobId}`, { documents: live.length })
  const documents: KnowledgeDocument[] = live.map((r) => ({ meta: liveToMeta(r), body: r.body, path: r.path }))
  const work = ingestDocuments(db, embedder, documents, {
    removeMissing: false,
    forceEmbed: true,
    onProgress: async (done) => {
      await db.update(kbJobs).set({ done }).where(eq(kbJobs.id, jobId))
    },
  }).then(
    async () => {
      await db
        .update(kbJobs)
        .set({ status: 'done', done: sql`${kbJobs.total}`, finishedAt: sql`now()` })
        .where(eq(kbJobs.id, jobId))
    },
    async (error: unknown) => {
      await db
        .update(kbJobs)
        .set({ status: 'failed', error: String((error as Error).message ?? error).slice(0, 500), finishedAt: sql`now()` })
        .where(eq(kbJobs.id, jobId))
      throw error
    },
  )
  return { jobId, work }
}

export async function jobStatus(db: Db, jobId: string): Promise<JobRow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(jobId)) return undefined
  const [row] = await db
    .select({ id: kbJobs.id, status: kbJobs.status, total: kbJobs.total, done: kbJobs.done, error: kbJobs.error, startedAt: kbJobs.startedAt, finishedAt: kbJobs.finishedAt })
    .from(kbJobs)
    .where(eq(kbJobs.id, jobId))
  return row
}
