import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { openPostgres } from '../src/db/postgres.js'
import { rowsOf, type Database } from '../src/db/types.js'
import { chunkMarkdown } from '../src/knowledge/chunker.js'
import { LocalHashEmbedder, type KnowledgeEmbedder } from '../src/knowledge/embedder.js'
import { parseDocument } from '../src/knowledge/frontmatter.js'
import { ingestDocuments, loadKnowledgeDir, syncKnowledgeDir } from '../src/knowledge/ingest.js'
import { lexicalCandidates, searchKnowledge } from '../src/knowledge/search.js'
import { KnowledgeRetriever } from '../src/knowledge/retriever.js'
import { expandQuery } from '../src/knowledge/expand.js'
import { engines, freshServerDatabase } from './helpers/harness.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')

/** Counts the texts it embeds, so tests can prove unchanged chunks are not embedded again. */
class CountingEmbedder extends LocalHashEmbedder {
  embedded = 0
  override async embedDocuments(texts: string[]) {
    this.embedded += texts.length
    return super.embedDocuments(texts)
  }
}

describe('knowledge documents', () => {
  it('reports a bad front-matter field with the file, the field and what is wrong', () => {
    const result = parseDocument('programmes/bad.md', '---\nid: Bad Id\ntitle: 標題\nkind: rumour\nsource: seed 003\nstatus: current\n---\n內容')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'programmes/bad.md', field: 'id' }),
        expect.objectContaining({ file: 'programmes/bad.md', field: 'kind' }),
      ]),
    )
  })

  it('rejects a file without front-matter or with broken YAML', () => {
    expect(parseDocument('a.md', '# 沒有前置資料')).toMatchObject({ ok: false, issues: [{ field: '(front-matter)' }] })
    expect(parseDocument('b.md', '---\nid: [unclosed\n---\n內容')).toMatchObject({ ok: false, issues: [{ field: '(front-matter)' }] })
  })

  it('chunks by headings, keeps each chunk\'s heading path, and repeats a big table\'s header in every piece', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `| 第${i + 1}區 | ${1000 + i} | ${(i * 1.5).toFixed(1)}% |`)
    const body = ['# 總覽', '簡介文字。', '## 預算', '### 分區統計', '| 區域 | 金額（千元） | 比例 |', '| --- | --- | --- |', ...rows].join('\n')
    const chunks = await chunkMarkdown(body)
    expect(chunks[0]).toMatchObject({ headingPath: ['總覽'], text: '簡介文字。' })
    const tablePieces = chunks.filter((c) => c.headingPath.join('>') === '總覽>預算>分區統計')
    expect(tablePieces.length).toBeGreaterThan(1)
    for (const piece of tablePieces) expect(piece.text.startsWith('| 區域 | 金額（千元） | 比例 |\n| --- |')).toBe(true)
    const all = tablePieces.map((p) => p.text).join('\n')
    for (const row of rows) expect(all).toContain(row)
  })
})

describe.each(engines())('knowledge index on $engine', ({ engine, skip }) => {
  let database: Database
  let dir: string

  beforeEach(async (ctx) => {
    if (skip) ctx.skip(skip)
    database = engine === 'pglite' ? await openPglite('memory://') : openPostgres(await freshServerDatabase(), { max: 4 })
    await migrate(database.db, await readMigrations())
    dir = await mkdtemp(join(tmpdir(), 'kb-'))
    await cp(FIXTURES, dir, { recursive: true })
  })
  afterEach(async () => {
    await database?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const count = async (q: string) => Number(rowsOf<{ n: string }>(await database.db.execute(sql.raw(q)))[0]!.n)

  it('ingests the folder, skips a broken file with a clear error and still ingests the rest', async () => {
    await writeFile(join(dir, 'broken.md'), '---\nid: broken\ntitle: 壞掉的檔案\nkind: programme\nsource: seed 003\n---\n少了 status')
    const loaded = await loadKnowledgeDir(dir)
    expect(loaded.issues).toEqual([{ file: 'broken.md', field: 'status', message: expect.any(String) }])
    const report = await ingestDocuments(database.db, new LocalHashEmbedder(), loaded.documents, { removeMissing: true })
    expect(report.documents).toBe(5)
    expect(await count('SELECT count(*) AS n FROM kb_documents')).toBe(5)
  })

  it('finds passages by meaning and words, with title, heading path, source and score', async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(), dir)
    const hits = await searchKnowledge(database.db, new LocalHashEmbedder(), '雲端點數最多可以拿多少？要自己出多少錢？')
    // In this five-document corpus another programme's cap section (worded like the question) ranks
    // level with it; the programme's own section is within the first two (answers then keep to the programme named).
    const cap = hits.findIndex((h) => h.title === '測試用雲端點數計畫')
    expect(cap).toBeGreaterThanOrEqual(0)
    expect(cap).toBeLessThan(2)
    expect(hits[cap]).toMatchObject({ headingPath: ['補助額度'], source: expect.stringContaining('fixture'), status: 'closed', windowCloses: '2024-06-17' })
    expect(hits[cap]!.text).toContain('20萬點')
    expect(hits[cap]!.score).toBeGreaterThan(0)
    const docs = await searchKnowledge(database.db, new LocalHashEmbedder(), '申請要準備哪些文件')
    expect(docs[0]!.text).toContain('納稅證明')
  })

  it("weighs the vector ranking by the embedder's fusion weight beside the full-text ranking", async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(), dir)
    const question = '測試用雲端點數計畫的申請資格與採用家數'
    const local = new LocalHashEmbedder()
    // With no weight, the vectors only break ties: the order is the full-text order.
    const textOnly = Object.assign(new LocalHashEmbedder(), { fusionWeight: 0 })
    const fused = await searchKnowledge(database.db, textOnly, question, { limit: 10 })
    const lexical = await lexicalCandidates(database.db, expandQuery(question))
    expect(fused.filter((h) => h.lexicalRank !== null).map((h) => h.chunkHash)).toEqual(lexical.slice(0, fused.filter((h) => h.lexicalRank !== null).length))
    // The local embedder's own weight is below one: hashed words are a blurrier full-text signal.
    expect(local.fusionWeight).toBeLessThan(1)
    expect(fused.every((h) => h.score === Math.round(1e5 / (60 + h.lexicalRank!)) / 1e5 || h.lexicalRank === null)).toBe(true)
  })

  it('always reads the best full-text match, however the vectors rank it (retrieval-miss class)', async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(), dir)
    // An embedder that reads every question as one about a smart-store subsidy, and outweighs the full text.
    class Misled extends LocalHashEmbedder {
      override async embedQuery() {
        return super.embedQuery('智慧商店 補助 30萬元')
      }
    }
    const question = '編經費時差旅費不得超過多少？'
    const [bestText] = await lexicalCandidates(database.db, expandQuery(question))
    const hits = await searchKnowledge(database.db, Object.assign(new Misled(), { fusionWeight: 50 }), question, { limit: 5 })
    // The misled vectors lead; the best full-text match is still among the passages read.
    expect(hits[0]!.chunkHash).not.toBe(bestText)
    expect(hits.map((h) => h.chunkHash)).toContain(bestText)
    expect(hits.find((h) => h.chunkHash === bestText)!.text).toContain('差旅費')
  })

  it('serves the hybrid search as a LangChain retriever: the same passages, as Documents with the hit as metadata', async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(), dir)
    const question = '申請要準備哪些文件'
    const hits = await searchKnowledge(database.db, new LocalHashEmbedder(), question, { limit: 3 })
    const docs = await new KnowledgeRetriever({ db: database.db, embedder: new LocalHashEmbedder(), k: 3 }).invoke(question)
    expect(docs.map((d) => d.id)).toEqual(hits.map((h) => h.chunkHash))
    expect(docs[0]!.pageContent).toContain('納稅證明')
    expect(docs[0]!.metadata).toMatchObject({ title: hits[0]!.title, headingPath: hits[0]!.headingPath })
  })

  it('keeps a number with its table row and column labels', async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(), dir)
    const hits = await searchKnowledge(database.db, new LocalHashEmbedder(), 'CRM 顧客管理方案有幾家採用')
    const table = hits.find((h) => h.text.includes('567'))!
    expect(table.text).toContain('| 類別 | 方案數 | 採用家數 |')
    expect(table.text).toContain('| CRM 顧客管理 | 8 | 567 |')
  })

  it('filters by kind, programme and status', async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(), dir)
    const cases = await searchKnowledge(database.db, new LocalHashEmbedder(), '行動支付 成效', { filters: { kind: ['case'] } })
    expect(cases.every((h) => h.kind === 'case')).toBe(true)
    expect(cases.length).toBeGreaterThan(0)
    const current = await searchKnowledge(database.db, new LocalHashEmbedder(), '點數 補助', { filters: { status: ['current'] } })
    expect(current.every((h) => h.status === 'current')).toBe(true)
    const programme = await searchKnowledge(database.db, new LocalHashEmbedder(), '文件', { filters: { programme: ['fixture-cloud'] } })
    expect(programme.every((h) => h.programme === 'fixture-cloud')).toBe(true)
  })

  it('re-embeds only what changed, and removes the chunks of removed documents', async () => {
    const embedder = new CountingEmbedder()
    const first = await syncKnowledgeDir(database.db, embedder, dir)
    expect(first!.embedded).toBe(first!.chunks)
    expect(await syncKnowledgeDir(database.db, embedder, dir)).toBeUndefined()

    const text = (await readFile(join(FIXTURES, 'case.md'), 'utf8')).replace('4,258萬元', '4,300萬元')
    await writeFile(join(dir, 'case.md'), text)
    embedder.embedded = 0
    const second = await syncKnowledgeDir(database.db, embedder, dir)
    expect(second!.embedded).toBe(1)
    expect(embedder.embedded).toBe(1)

    await rm(join(dir, 'case.md'))
    const third = await syncKnowledgeDir(database.db, embedder, dir)
    expect(third!.removedDocuments).toBe(1)
    expect(await count("SELECT count(*) AS n FROM kb_chunks WHERE document_id = 'fixture-case-salon'")).toBe(0)
    expect(await count('SELECT count(*) AS n FROM kb_embeddings e LEFT JOIN kb_chunks c ON c.hash = e.chunk_hash WHERE c.hash IS NULL')).toBe(0)
  })

  it('leaves the previous index untouched when a run fails mid-way', async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(), dir)
    const before = await count('SELECT count(*) AS n FROM kb_chunks')
    const failing: KnowledgeEmbedder = { model: new LocalHashEmbedder().model, embedDocuments: async () => { throw new Error('embedding service down') }, embedQuery: async () => [] }
    const text = (await readFile(join(FIXTURES, 'case.md'), 'utf8')).replace('69家', '70家')
    await writeFile(join(dir, 'case.md'), text)
    await expect(syncKnowledgeDir(database.db, failing, dir)).rejects.toThrow('embedding service down')
    expect(await count('SELECT count(*) AS n FROM kb_chunks')).toBe(before)
    const hits = await searchKnowledge(database.db, new LocalHashEmbedder(), '美髮 行動支付')
    expect(hits[0]!.text).toContain('69家')
  })

  it('switching the embedding model re-embeds everything under the new model and never mixes vectors', async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(512), dir)
    const other = new CountingEmbedder(256)
    const report = await syncKnowledgeDir(database.db, other, dir)
    expect(report!.embedded).toBe(report!.chunks)
    expect(await count('SELECT count(*) AS n FROM kb_documents')).toBe(5)
    const models = rowsOf<{ model: string; n: string }>(await database.db.execute(sql`SELECT model, count(*) AS n FROM kb_embeddings GROUP BY model ORDER BY model`))
    expect(models.map((m) => m.model)).toEqual(['local-hash-v2-256', 'local-hash-v2-512'])
    const hits = await searchKnowledge(database.db, other, '輔導期程 幾個月')
    expect(hits[0]!.text).toContain('5個月')
  })

  it('a new embedding model also re-tokenizes the chunks (the tokenizer changes with the local model)', async () => {
    await syncKnowledgeDir(database.db, new LocalHashEmbedder(512), dir)
    // Tokens as an older tokenizer might have left them.
    await database.db.execute(sql`UPDATE kb_chunks SET tokens = 'stale', tsv = array_to_tsvector(ARRAY['stale'])`)
    await syncKnowledgeDir(database.db, new CountingEmbedder(128), dir)
    expect(await count(`SELECT count(*) AS n FROM kb_chunks WHERE tokens = 'stale'`)).toBe(0)
    const hits = await searchKnowledge(database.db, new LocalHashEmbedder(512), '輔導期程 幾個月')
    expect(hits[0]!.lexicalRank).not.toBeNull()
  })
})
