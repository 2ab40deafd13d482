import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow } from 'docx'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { openPostgres } from '../src/db/postgres.js'
import { rowsOf, type Database } from '../src/db/types.js'
import { createStaff } from '../src/console/auth.js'
import { LocalHashEmbedder, type KnowledgeEmbedder } from '../src/knowledge/embedder.js'
import { parseDocument, type KnowledgeDocument } from '../src/knowledge/frontmatter.js'
import { syncKnowledgeDir } from '../src/knowledge/ingest.js'
import { searchKnowledge } from '../src/knowledge/search.js'
import { CONVERTED_LIMIT_CHARS, ConversionError, convertUpload, declaredUnzippedSize } from '../src/pmo/convert.js'
import { convertInProcess } from '../src/pmo/convert-isolated.js'
import { docxBomb } from './helpers/zip-bomb.js'
import { toCsv } from '../src/pmo/csv.js'
import { addPhrasing, emptyForm, formFromMarkdown, validateForm } from '../src/pmo/doc-form.js'
import { editProblem, saveDataFile, validateDataFile } from '../src/pmo/data-files.js'
import { publishDocument, retireDocument, saveDraft, toMarkdown, versionsOf } from '../src/pmo/documents.js'
import { features, groupQuestions, jaccard, type GapQuestion } from '../src/pmo/grouping.js'
import { jobStatus, startReindexJob } from '../src/pmo/reindex.js'
import { answerSummary, caseStats, dailyActivity, gapQuestions, levelStats, topTopics } from '../src/pmo/stats.js'
import { textEvent } from '../src/simulator/events.js'
import { launchBrowser } from './helpers/browser.js'
import { engines, freshServerDatabase, startChatBot, waitFor, type ChatSetup } from './helpers/harness.js'
import { RULES_FILE } from '../src/eligibility/load.js'
import { DEFINITION_FILE } from '../src/assessment/load.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')
const enc = (s: string) => new TextEncoder().encode(s)

async function expectRejected(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConversionError)
  expect((error as Error).message).toMatch(message)
}

describe('upload conversion to Markdown', () => {
  it('keeps a Markdown file and its front-matter apart; plain text passes through', async () => {
    const md = await convertUpload('a.md', enc('---\nid: demo-doc\ntitle: 示範\n---\n\n# 示範文件\n\n內容一。\r\n'))
    expect(md).toMatchObject({ kind: 'md', frontMatter: 'id: demo-doc\ntitle: 示範', title: '示範文件', markdown: '# 示範文件\n\n內容一。' })
    const txt = await convertUpload('說明.txt', enc('\uFEFF第一行標題\n\n第二段文字。'))
    expect(txt).toMatchObject({ kind: 'txt', title: '第一行標題', markdown: '第一行標題\n\n第二段文字。' })
  })

  it('turns a Word file into Markdown headings, paragraphs and a table with its header row', async () => {
    const docx = await Packer.toBuffer(
      new Document({
        sections: [
          {
            children: [
              new Paragraph({ text: '示範補助', heading: HeadingLevel.HEADING_1 }),
              new Paragraph({ text: '補助額度', heading: HeadingLevel.HEADING_2 }),
              new Paragraph('每家企業最多補助 10 萬元。'),
              new Table({
                rows: [
                  new TableRow({ children: [new TableCell({ children: [new Paragraph('級距')] }), new TableCell({ children: [new Paragraph('上限')] })] }),
                  new TableRow({ children: [new TableCell({ children: [new Paragraph('小型')] }), new TableCell({ children: [new Paragraph('5萬元')] })] }),
                ],
              }),
            ],
          },
        ],
      }),
    )
    const out = await convertUpload('示範.docx', new Uint8Array(docx))
    expect(out.kind).toBe('docx')
    expect(out.title).toBe('示範補助')
    expect(out.markdown).toBe('# 示範補助\n\n## 補助額度\n\n每家企業最多補助 10 萬元。\n\n| 級距 | 上限 |\n| --- | --- |\n| 小型 | 5萬元 |')
  })

  it('extracts the text layer of a PDF (printed by Chromium) and refuses one without text', async () => {
    const browser = await launchBrowser()
    try {
      const page = await browser.newPage()
      await page.setContent('<h1>示範 PDF</h1><p>雲端服務補助適用於員工未滿兩百人的企業。</p>')
      const text = await convertUpload('a.pdf', new Uint8Array(await page.pdf()))
      expect(text.kind).toBe('pdf')
      expect(text.markdown).toContain('示範 PDF')
      expect(text.markdown).toContain('雲端服務補助適用於員工未滿兩百人的企業。')
      await page.setContent('<svg width="200" height="200"><rect width="200" height="200" fill="#888"/></svg>')
      await expectRejected(convertUpload('scan.pdf', new Uint8Array(await page.pdf())), /沒有可擷取的文字/)
    } finally {
      await browser.close()
    }
  })

  it('rejects broken, empty, non-UTF-8 and unsupported files with a clear message', async () => {
    await expectRejected(convertUpload('x.docx', enc('not a zip')), /無法讀取這個 Word 檔/)
    await expectRejected(convertUpload('x.pdf', enc('%PDF-1.4 garbage')), /無法讀取這個 PDF/)
    await expectRejected(convertUpload('x.md', new Uint8Array()), /檔案是空的/)
    await expectRejected(convertUpload('big5.txt', new Uint8Array([0xa4, 0xa4, 0xa4, 0xe5])), /UTF-8/)
    await expectRejected(convertUpload('old.doc', enc('x')), /\.docx/)
    await expectRejected(convertUpload('a.xlsx', enc('x')), /不支援「\.xlsx」/)
  })
})

describe('uploads built to exhaust the bot', () => {
  it('refuses a Word file whose zip directory says it unzips past 60 MB, before unzipping it', async () => {
    const bomb = await docxBomb(100)
    expect(bomb.byteLength).toBeLessThan(300 * 1024)
    expect(declaredUnzippedSize(bomb)).toBeGreaterThan(100 * 1024 * 1024)
    await expectRejected(convertUpload('炸彈.docx', bomb), /解壓縮後超過 60 MB/)
    // An ordinary Word file is not affected.
    const fine = await docxBomb(1)
    expect(declaredUnzippedSize(fine)).toBeLessThan(2 * 1024 * 1024)
    expect((await convertUpload('ok.docx', fine)).markdown).toBe('示範文件')
  })

  it('refuses a crafted zip that understates its sizes, and text longer than any guideline we hold', async () => {
    await expectRejected(convertUpload('騙.docx', await docxBomb(100, { lie: true })), /無法讀取這個 Word 檔/)
    const long = '數位轉型補助說明。'.repeat(Math.ceil(CONVERTED_LIMIT_CHARS / 9) + 1)
    await expectRejected(convertUpload('長.md', enc(`# 長文件\n\n${long}`)), /超過 500,000 字/)
  })

  it('converts in a separate process that is stopped at its memory or time limit while the bot keeps running', async () => {
    const doc = await docxBomb(1)
    expect((await convertInProcess('ok.docx', doc)).markdown).toBe('示範文件')
    // A document within the size cap whose conversion needs more memory than allowed (a limit of
    // 40 MB stands in for the real 512 MB, which needs a far larger document).
    const paragraphs = await docxBomb(0, { paragraphs: 200_000 })
    let ticks = 0
    const timer = setInterval(() => ticks++, 20)
    const started = Date.now()
    await expectRejected(convertInProcess('大.docx', paragraphs, { timeoutMs: 60_000, maxMemoryMb: 40 }), /記憶體太多/)
    clearInterval(timer)
    // Our event loop kept turning while the other process worked.
    expect(ticks).toBeGreaterThan((Date.now() - started) / 20 / 2)
    await expectRejected(convertInProcess('慢.docx', paragraphs, { timeoutMs: 200, maxMemoryMb: 512 }), /轉換超過 1 秒仍未完成/)
  })
})

describe('document form validation', () => {
  it('reports each bad field in words a PMO person can act on, and accepts a valid form', () => {
    const bad = validateForm({ ...emptyForm(), id: 'Bad Id', title: '短', source: 'x', source_date: '2026/01', closes: 'soon', body: ' ' })
    expect(bad.ok).toBe(false)
    if (bad.ok) return
    expect(Object.keys(bad.errors).sort()).toEqual(['body', 'closes', 'id', 'source', 'source_date', 'title'])
    expect(bad.errors.id).toContain('小寫英文')
    const good = validateForm({ ...emptyForm(), id: 'demo-doc', title: '示範文件', source: '示範來源', source_date: '2026-01', tags: '甲, 乙，丙', body: '## 一\n\n內容' })
    expect(good.ok && good.document.meta).toMatchObject({ id: 'demo-doc', tags: ['甲', '乙', '丙'], source_date: '2026-01' })
  })

  it('keeps answer cards through the form, and names a card whose section is missing or whose YAML is broken', () => {
    const base = { ...emptyForm(), id: 'demo-doc', title: '示範文件', source: '示範來源', body: '## 補助額度\n\n每家最多補助 12萬元。\n\n## 申請資格\n\n限中小企業。' }
    const cards = '- section: 補助額度\n  lead: 示範補助每家最多補助12萬元。\n  asks: [一家最多補多少？]\n'
    const good = validateForm({ ...base, cards })
    expect(good.ok && good.document.meta.cards).toEqual([{ section: '補助額度', lead: '示範補助每家最多補助12萬元。', asks: ['一家最多補多少？'] }])
    // What the editor shows again is what was saved.
    if (good.ok) expect(validateForm(formFromMarkdown('demo-doc', toMarkdown(good.document.meta, good.document.body)))).toEqual(good)
    const orphan = validateForm({ ...base, cards: cards.replace('section: 補助額度', 'section: 撥款') })
    expect(!orphan.ok && orphan.errors.cards).toContain('撥款')
    const broken = validateForm({ ...base, cards: '- section: [' })
    expect(!broken.ok && broken.errors.cards).toContain('YAML')
  })

  it("adds an unanswered question from 洞察 to the phrasings of the card it is most like", () => {
    const cards = [
      { section: '補助額度', lead: '每家最多補助12萬元。', asks: ['一家最多補多少？'] },
      { section: '申請資格', lead: '限中小企業申請。', asks: ['誰可以申請？'] },
    ]
    const added = addPhrasing(cards, '我們這種小公司可以申請嗎？')
    expect(added?.section).toBe('申請資格')
    expect(added?.cards[1]!.asks).toEqual(['誰可以申請？', '我們這種小公司可以申請嗎？'])
    expect(added?.cards[0]).toEqual(cards[0])
    expect(addPhrasing([], '任何問題')).toBeUndefined()
  })
})

describe('grouping unanswered questions', () => {
  const q = (question: string, i: number, reason: GapQuestion['reason'] = 'not-covered', citedDocuments: string[] = []): GapQuestion => ({
    id: String(i),
    question,
    reason,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
    citedDocuments,
  })

  it('puts different wordings of the same question together and keeps other questions apart', () => {
    expect(jaccard(features('雲市集點數怎麼申請？'), features('請問雲市集點數要怎麼申請'))).toBeGreaterThan(0.5)
    const groups = groupQuestions([
      q('雲市集點數怎麼申請？', 1),
      q('請問雲市集點數要怎麼申請', 2),
      q('雲市集點數申請方式', 3, 'unhelpful', ['cloud-doc']),
      q('補助款什麼時候撥下來', 4),
      q('補助款何時撥款？', 5),
      q('可以用 ERP 嗎', 6),
    ])
    expect(groups.map((g) => g.questions.length)).toEqual([3, 2, 1])
    expect(groups[0]).toMatchObject({ representative: '雲市集點數怎麼申請？', notCovered: 2, unhelpful: 1, documents: ['cloud-doc'] })
    expect(groups[1]!.representative).toBe('補助款什麼時候撥下來')
  })
})

describe('CSV export', () => {
  it('starts with a UTF-8 BOM, quotes what needs it and never lets a cell run as a formula', () => {
    const csv = toCsv(['問題', '次數'], [['甲,乙', 2], ['=HYPERLINK("x")', 1], ['說"好"', null]])
    expect(csv.charCodeAt(0)).toBe(0xfeff)
    expect(csv.slice(1)).toBe('問題,次數\r\n"甲,乙",2\r\n"\'=HYPERLINK(""x"")",1\r\n"說""好""",\r\n')
  })
})

describe('data files (programme rules, assessment)', () => {
  it('validates with the bot’s own schemas and names the bad field', async () => {
    const rules = await readFile(RULES_FILE, 'utf8')
    expect(validateDataFile('programmes', rules)).toBeUndefined()
    expect(validateDataFile('programmes', 'programmes: [')).toMatch(/invalid YAML/)
    const assessment = await readFile(DEFINITION_FILE, 'utf8')
    expect(validateDataFile('assessment', assessment)).toBeUndefined()
    expect(validateDataFile('assessment', assessment.replace(/^triggers:.*$/m, 'triggers: 7'))).toMatch(/triggers/)
  })

  it('asks for a new assessment version when questions or options change, so open assessments carry over', async () => {
    const assessment = await readFile(DEFINITION_FILE, 'utf8')
    const renamed = assessment.replace('- value: agriculture', '- value: agriculture-and-fishing')
    expect(validateDataFile('assessment', renamed)).toBeUndefined()
    // An option other parts refer to cannot be renamed alone: the references are named.
    expect(validateDataFile('assessment', assessment.replace('- value: manufacturing', '- value: manufacturing-and-processing'))).toMatch(/unknown industry option "manufacturing"[\s\S]*only_for/)
    expect(editProblem('assessment', assessment, renamed)).toMatch(/請把 version 改成新的值/)
    const bumped = renamed.replace(/^version: .*$/m, 'version: "2026-12-v1"')
    expect(editProblem('assessment', assessment, bumped)).toBeUndefined()
    // Wording, triggers and labels may change under the same version.
    expect(editProblem('assessment', assessment, assessment.replace('label: 製造業', 'label: 製造與加工業').replace(/^triggers: \[/m, 'triggers: [企業體檢, '))).toBeUndefined()
    // Nothing valid to compare with: the edit is judged on its own.
    expect(editProblem('assessment', 'triggers: [', renamed)).toBeUndefined()
    expect(editProblem('programmes', 'x', 'y')).toBeUndefined()
  })
})

const openEngine = async (engine: 'pglite' | 'postgres'): Promise<Database> => {
  const database = engine === 'pglite' ? await openPglite('memory://') : openPostgres(await freshServerDatabase(), { max: 4 })
  await migrate(database.db, await readMigrations())
  return database
}

describe.each(engines())('PMO knowledge store on $engine', ({ engine, skip }) => {
  let database: Database
  let staffId: string
  const embedder = new LocalHashEmbedder()
  const doc = (body: string, extra = ''): KnowledgeDocument => {
    const parsed = parseDocument('x', `---\nid: grant-demo\ntitle: 示範鄉數位補助\nkind: programme\nsource: 測試來源文件\nstatus: current\n${extra}---\n${body}`)
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues))
    return parsed.document
  }
  const V1 = '## 補助額度\n\n示範鄉數位補助每家最多補助 12萬元。\n\n## 申請資格\n\n示範鄉數位補助限示範鄉的中小企業申請。'
  const V2 = '## 補助額度\n\n示範鄉數位補助每家最多補助 99萬元。\n\n## 申請資格\n\n示範鄉數位補助改為全國中小企業都可申請。\n\n## 撥款\n\n示範鄉數位補助結案後撥款。'
  const liveBody = async () => rowsOf<{ body: string }>(await database.db.execute(sql`SELECT body FROM kb_documents WHERE id = 'grant-demo'`))[0]?.body
  const liveChunks = async () => rowsOf<{ text: string }>(await database.db.execute(sql`SELECT text FROM kb_chunks WHERE document_id = 'grant-demo' ORDER BY ord`)).map((r) => r.text)

  beforeEach(async (ctx) => {
    if (skip) ctx.skip(skip)
    await database?.close()
    database = await openEngine(engine)
    staffId = (await createStaff(database.db, { username: `pmo-${crypto.randomUUID().slice(0, 6)}`, displayName: '測試 PMO', role: 'pmo', password: 'password-123456' })).id
  })
  afterAll(async () => {
    await database?.close()
  })

  it('a publish whose embedder fails leaves the previous version live and writes no version', async () => {
    await publishDocument(database.db, embedder, doc(V1), { staffId })
    const failing: KnowledgeEmbedder = {
      model: embedder.model,
      embedQuery: (t) => embedder.embedQuery(t),
      embedDocuments: async () => {
        throw new Error('embedding service unavailable')
      },
    }
    await expect(publishDocument(database.db, failing, doc(V2), { staffId })).rejects.toThrow('unavailable')
    expect(await liveBody()).toContain('12萬元')
    expect((await versionsOf(database.db, 'grant-demo')).map((v) => v.version)).toEqual([1])
    const hits = await searchKnowledge(database.db, embedder, '示範鄉數位補助最多補助多少', { limit: 3 })
    expect(hits[0]?.text).toContain('12萬元')
  })

  it('a publish that fails inside the index swap (mid-way through the writes) rolls everything back', async () => {
    await publishDocument(database.db, embedder, doc(V1), { staffId })
    const before = await liveChunks()
    let calls = 0
    // The second chunk's vector has the wrong size: the documents and chunks are already written in the
    // transaction when the embeddings insert fails on the model's vector index.
    const broken: KnowledgeEmbedder = {
      model: embedder.model,
      embedQuery: (t) => embedder.embedQuery(t),
      embedDocuments: async (texts) => (await embedder.embedDocuments(texts)).map((v, i) => (i === 1 && ++calls ? v.slice(0, 3) : v)),
    }
    await expect(publishDocument(database.db, broken, doc(V2), { staffId })).rejects.toThrow()
    expect(calls).toBe(1)
    expect(await liveBody()).toContain('12萬元')
    expect(await liveChunks()).toEqual(before)
    expect((await versionsOf(database.db, 'grant-demo')).length).toBe(1)
    const audits = rowsOf(await database.db.execute(sql`SELECT 1 FROM audit_log WHERE action = 'kb.publish'`))
    expect(audits.length).toBe(1)
  })

  it('invalid front-matter never reaches the store', () => {
    const result = validateForm({ ...emptyForm(), id: 'grant-demo', title: '示範', kind: 'rumour', source: '測試來源文件', body: V2 })
    expect(result.ok).toBe(false)
  })

  it('re-index all reports progress and a failure mid-way leaves the index as it was', async () => {
    await publishDocument(database.db, embedder, doc(V1), { staffId })
    await publishDocument(database.db, embedder, { ...doc(V1), meta: { ...doc(V1).meta, id: 'grant-demo-2' } }, { staffId })
    const ok = await startReindexJob(database.db, embedder, staffId)
    await ok.work
    expect(await jobStatus(database.db, ok.jobId)).toMatchObject({ status: 'done', total: 2, done: 2 })

    let calls = 0
    const flaky: KnowledgeEmbedder = {
      model: embedder.model,
      embedQuery: (t) => embedder.embedQuery(t),
      embedDocuments: async (texts) => {
        if (++calls === 2) throw new Error('timeout on the second document')
        return embedder.embedDocuments(texts)
      },
    }
    const before = rowsOf(await database.db.execute(sql`SELECT hash, document_id FROM kb_chunks ORDER BY hash`))
    const failed = await startReindexJob(database.db, flaky, staffId)
    await expect(failed.work).rejects.toThrow('second document')
    expect(await jobStatus(database.db, failed.jobId)).toMatchObject({ status: 'failed', done: 1, total: 2, error: 'timeout on the second document' })
    expect(rowsOf(await database.db.execute(sql`SELECT hash, document_id FROM kb_chunks ORDER BY hash`))).toEqual(before)
  })

  it('the start-up folder sync never undoes console changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pmo-sync-'))
    await cp(FIXTURES, dir, { recursive: true })
    await syncKnowledgeDir(database.db, embedder, dir)
    // Console: edit a file document, retire another, publish a new one.
    const cloud = parseDocument('x', (await readFile(join(dir, 'programmes', 'cloud-points.md'), 'utf8')).replace('20萬點', '25萬點'))
    if (!cloud.ok) throw new Error('fixture')
    await publishDocument(database.db, embedder, cloud.document, { staffId })
    const caseId = rowsOf<{ id: string }>(await database.db.execute(sql`SELECT id FROM kb_documents WHERE path = 'case.md'`))[0]!.id
    await retireDocument(database.db, caseId, { staffId })
    await publishDocument(database.db, embedder, doc(V1), { staffId })
    // The folder changes (new fingerprint), so the next start re-syncs it.
    await writeFile(join(dir, 'programmes', 'assistance.md'), `${await readFile(join(dir, 'programmes', 'assistance.md'), 'utf8')}\n\n## 補充\n\n測試用補充段落。\n`)
    const report = await syncKnowledgeDir(database.db, embedder, dir)
    expect(report).toBeDefined()
    const live = rowsOf<{ id: string; body: string }>(await database.db.execute(sql`SELECT id, body FROM kb_documents ORDER BY id`))
    expect(live.find((d) => d.id === 'fixture-cloud-points')?.body).toContain('25萬點')
    expect(live.find((d) => d.id === caseId)).toBeUndefined()
    expect(live.find((d) => d.id === 'grant-demo')).toBeDefined()
    expect(live.find((d) => d.body.includes('測試用補充段落'))).toBeDefined()
    expect((await versionsOf(database.db, 'fixture-cloud-points')).map((v) => v.action)).toEqual(['publish', 'import'])
  })

  it('a draft is stored but not live', async () => {
    await saveDraft(database.db, doc(V1), 'create', { staffId })
    expect(await liveBody()).toBeUndefined()
    expect((await versionsOf(database.db, 'grant-demo'))[0]).toMatchObject({ state: 'draft', action: 'create', displayName: '測試 PMO' })
  })
})

describe.each(engines())('statistics queries on $engine', ({ engine, skip }) => {
  let database: Database
  const now = new Date('2026-03-10T04:00:00Z')
  beforeAll(async () => {
    if (skip) return
    database = await openEngine(engine)
    const db = database.db
    for (const u of ['U1', 'U2', 'U3']) await db.execute(sql`INSERT INTO users (id) VALUES (${u})`)
    await db.execute(sql`INSERT INTO conversations (id, chat_type, chat_id, user_id) VALUES (1, 'user', 'U1', 'U1'), (2, 'user', 'U2', 'U2')`)
    const answer = async (q: string, day: string, covered: boolean, feedback: string | null, docs: string[]) =>
      db.execute(sql`
        INSERT INTO answers (id, user_id, question, search_query, answer_text, citations, covered, mode, feedback, created_at)
        VALUES (${crypto.randomUUID()}, 'U1', ${q}, ${q}, 'x', ${JSON.stringify(docs.map((d) => ({ documentId: d, title: `${d} 標題` })))}::jsonb, ${covered}, 'extractive', ${feedback}, ${day}::timestamptz)`)
    // 2026-03-09 Taipei (UTC+8): 3 questions, 2 covered, 1 unhelpful. 2026-03-10: 1 not covered.
    await answer('雲市集點數怎麼申請', '2026-03-09T02:00:00Z', true, null, ['doc-a'])
    await answer('雲市集點數申請方式', '2026-03-09T03:00:00Z', true, 'unhelpful', ['doc-a', 'doc-b'])
    await answer('補助款何時撥款', '2026-03-09T15:30:00Z', false, null, [])
    await answer('補助款什麼時候撥款', '2026-03-10T01:00:00Z', false, null, [])
    await db.execute(sql`
      INSERT INTO cases (conversation_id, user_id, status, reason, opened_at, first_response_at, resolved_at) VALUES
        (1, 'U1', 'resolved', 'asked', '2026-03-09T01:00:00Z', '2026-03-09T01:20:00Z', '2026-03-09T05:00:00Z'),
        (2, 'U2', 'open', 'unanswered', '2026-03-09T02:00:00Z', '2026-03-09T05:00:00Z', null)`)
    const assess = async (user: string, level: number, at: string) =>
      db.execute(sql`
        INSERT INTO assessments (id, user_id, version, status, overall_level, started_at, updated_at, completed_at)
        VALUES (${crypto.randomUUID()}, ${user}, 'v1', 'completed', ${level}, ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz)`)
    await assess('U1', 2, '2026-01-05T00:00:00Z')
    await assess('U1', 3, '2026-03-01T00:00:00Z')
    await assess('U2', 3, '2026-02-01T00:00:00Z')
    await assess('U2', 3, '2026-03-02T00:00:00Z')
    await assess('U3', 1, '2026-03-03T00:00:00Z')
  })
  afterAll(async () => {
    await database?.close()
  })
  const since = new Date('2026-03-01T00:00:00Z')
  beforeEach((ctx) => {
    if (skip) ctx.skip(skip)
  })

  it('counts questions, coverage and cases per Taipei day', async () => {
    const days = await dailyActivity(database.db, 3, now)
    expect(days).toEqual([
      { day: '2026-03-08', questions: 0, covered: 0, unhelpful: 0, casesOpened: 0, casesResolved: 0 },
      { day: '2026-03-09', questions: 3, covered: 2, unhelpful: 1, casesOpened: 2, casesResolved: 1 },
      { day: '2026-03-10', questions: 1, covered: 0, unhelpful: 0, casesOpened: 0, casesResolved: 0 },
    ])
    expect(await answerSummary(database.db, since)).toEqual({ questions: 4, covered: 2, helpful: 0, unhelpful: 1, coverage: 0.5 })
  })

  it('ranks topics by the documents answers cited', async () => {
    expect(await topTopics(database.db, since)).toEqual([
      { documentId: 'doc-a', title: 'doc-a 標題', programme: null, answers: 2 },
      { documentId: 'doc-b', title: 'doc-b 標題', programme: null, answers: 1 },
    ])
  })

  it('measures handoff response times from opening to the first reply', async () => {
    const s = await caseStats(database.db, since)
    expect(s).toMatchObject({ opened: 2, resolved: 1, open: 1, responded: 2, avgMinutes: 100, medianMinutes: 100 })
    expect(s.buckets.map((b) => b.cases)).toEqual([1, 0, 1, 0, 0])
  })

  it('gives the level distribution and first → latest changes (the +1 level KPI)', async () => {
    const l = await levelStats(database.db)
    expect(l.distribution).toEqual([
      { level: 1, users: 1 },
      { level: 2, users: 0 },
      { level: 3, users: 2 },
      { level: 4, users: 0 },
      { level: 5, users: 0 },
    ])
    expect(l.changes).toEqual([
      { delta: 0, users: 1 },
      { delta: 1, users: 1 },
    ])
    expect({ retakers: l.retakers, improved: l.improved }).toEqual({ retakers: 2, improved: 1 })
    expect(l.monthly.find((m) => m.month === '2026-03')).toEqual({ month: '2026-03', completed: 3, avgLevel: 2.33, retakers: 2, avgGain: 0.5 })
  })

  it('lists the gaps: declined questions and unhelpful answers with their cited documents', async () => {
    const gaps = await gapQuestions(database.db, since)
    expect(gaps.map((g) => [g.question, g.reason, g.citedDocuments])).toEqual([
      ['補助款什麼時候撥款', 'not-covered', []],
      ['補助款何時撥款', 'not-covered', []],
      ['雲市集點數申請方式', 'unhelpful', ['doc-a', 'doc-b']],
    ])
    expect(groupQuestions(gaps).map((g) => g.questions.length)).toEqual([2, 1])
  })
})

describe('saved data files reach the running bot without a restart', () => {
  let setup: ChatSetup
  beforeAll(async () => {
    setup = await startChatBot(FIXTURES)
  })
  afterAll(async () => {
    await setup?.close()
  })

  it('a new assessment trigger word saved in data_files starts the assessment within seconds', async () => {
    const { bot, line } = setup
    let n = 0
    const intentOf = async (text: string) => {
      const user = `Udata${++n}`
      const before = bot.handled.length
      await bot.send([textEvent({ userId: user }, text, line.fake.issueReplyToken(user))])
      return (await waitFor(() => bot.handled.slice(before).find((h) => h.kind === 'message'), `handling ${text}`)).intent
    }
    expect(await intentOf('企業體檢開始')).not.toBe('assess-start')
    const staffId = (await createStaff(bot.database.db, { username: 'pmo-data', displayName: 'PMO', role: 'pmo', password: 'password-123456' })).id
    const yaml = (await readFile(DEFINITION_FILE, 'utf8')).replace(/^triggers: \[/m, 'triggers: [企業體檢開始, ')
    const saved = await saveDataFile(bot.database.db, 'assessment', yaml, staffId, 'save')
    expect(saved.ok).toBe(true)
    const started = Date.now()
    await waitFor(async () => (await intentOf('企業體檢開始')) === 'assess-start', 'the new trigger', 10_000)
    expect(Date.now() - started).toBeLessThan(8_000)
    // An invalid file is refused and the bot keeps the saved one.
    expect(await saveDataFile(bot.database.db, 'assessment', 'triggers: [', staffId, 'save')).toMatchObject({ ok: false })
  })
})
