import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { readDefinition } from '../src/assessment/load.js'
import type { AssessmentDefinition } from '../src/assessment/definition.js'
import type { AssessmentResult } from '../src/assessment/scoring.js'
import { createStaff, type Staff } from '../src/console/auth.js'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { openPostgres } from '../src/db/postgres.js'
import type { Database, Db } from '../src/db/types.js'
import { rowsOf } from '../src/db/types.js'
import { openAIChat } from '../src/answer/generative.js'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { silentLogger } from '../src/log.js'
import { notifyNewCases, type CaseNotice } from '../src/handoff/notify.js'
import { join } from 'node:path'
import { BUILT_IN_CANNED, cannedReplies } from '../src/handoff/canned.js'
import { parseHandoffSettings } from '../src/handoff/settings.js'
import { HANDOFF_SETTINGS_FILE } from '../src/handoff/load.js'
import { addNote, assignCase, CaseActionError, pickReplyToken, replyToCase, resolveCase, retryDelivery } from '../src/handoff/case-actions.js'
import { canAssign, canSeeTab, canView, deliveryOf, findCase, isOverdue, listInbox, loadContext, loadThread, type CaseRow } from '../src/handoff/cases.js'
import { createSummarizer, llmSummary, summaryFacts, templateSummary } from '../src/handoff/summary.js'
import { caseClosedMessages } from '../src/handoff/flow.js'
import { startFakeOpenAI, type FakeOpenAI } from './helpers/fake-openai.js'
import { engines, freshServerDatabase } from './helpers/harness.js'
import { PROMPTS_DIR } from '../src/answer/prompts-fs.js'

const SUMMARY_PROMPT = await readFile(join(PROMPTS_DIR, 'case-summary.md'), 'utf8')

/** The consultant console's rules and actions, below the web layer, on the real migrations in PGlite. */

const consultantA = { id: 'a', role: 'consultant' as const }
const consultantB = { id: 'b', role: 'consultant' as const }
const pmo = { id: 'p', role: 'pmo' as const }

describe('who may see and assign a case', () => {
  it('lets a consultant see unassigned cases and their own, and PMO staff every case', () => {
    expect(canView(consultantA, { assigneeId: null })).toBe(true)
    expect(canView(consultantA, { assigneeId: 'a' })).toBe(true)
    expect(canView(consultantB, { assigneeId: 'a' })).toBe(false)
    expect(canView(pmo, { assigneeId: 'a' })).toBe(true)
    expect(canSeeTab(consultantA, 'all')).toBe(false)
    expect(canSeeTab(consultantA, 'mine')).toBe(true)
    expect(canSeeTab(pmo, 'all')).toBe(true)
  })

  it('lets a consultant take an unassigned case or hand theirs to another active consultant; PMO assigns to anyone active', () => {
    const open = (assigneeId: string | null) => ({ assigneeId, status: 'open' as const })
    const active = (id: string, role: 'consultant' | 'pmo' = 'consultant') => ({ id, role, active: true })
    expect(canAssign(consultantA, open(null), active('a'))).toBe(true)
    expect(canAssign(consultantA, open(null), active('b'))).toBe(false) // cannot push an unassigned case onto someone
    expect(canAssign(consultantA, open('a'), active('b'))).toBe(true)
    expect(canAssign(consultantA, open('a'), active('p', 'pmo'))).toBe(false)
    expect(canAssign(consultantA, open('a'), { id: 'b', role: 'consultant', active: false })).toBe(false)
    expect(canAssign(consultantA, open('b'), active('a'))).toBe(false) // cannot take a colleague's case
    expect(canAssign(consultantA, open('a'), null)).toBe(false)
    expect(canAssign(pmo, open('a'), active('b'))).toBe(true)
    expect(canAssign(pmo, open('a'), null)).toBe(true)
    expect(canAssign(pmo, { assigneeId: 'a', status: 'resolved' }, active('b'))).toBe(false)
  })
})

describe('reply token choice', () => {
  const now = new Date('2026-03-02T02:00:00Z')
  it('uses the latest reply token while it is fresh, and pushes after that', () => {
    expect(pickReplyToken({ token: 't', receivedAt: new Date(now.getTime() - 10_000) }, now)).toBe('t')
    expect(pickReplyToken({ token: 't', receivedAt: new Date(now.getTime() - 55_000) }, now)).toBeUndefined()
    expect(pickReplyToken(undefined, now)).toBeUndefined()
  })

  it('labels delivery states as the thread shows them', () => {
    expect(deliveryOf('sent', 'reply', null)).toBe('reply')
    expect(deliveryOf('sent', 'push', 'earlier failure')).toBe('push')
    expect(deliveryOf('pending', null, null)).toBe('sending')
    expect(deliveryOf('pending', null, 'LINE API 500')).toBe('retrying')
    expect(deliveryOf('failed', null, 'LINE API 400')).toBe('failed')
    expect(deliveryOf(null, null, null)).toBeNull()
  })
})

describe('canned replies', () => {
  it('come from canned_replies in the handoff settings, with built-in ones when the list is empty', async () => {
    const settings = await readFile(HANDOFF_SETTINGS_FILE, 'utf8')
    const own = parseHandoffSettings(settings.replace(/canned_replies:[\s\S]*$/, 'canned_replies:\n  - title: 問候\n    text: 您好！\n'), 'handoff.yaml')
    expect(cannedReplies(own)).toEqual([{ title: '問候', text: '您好！' }])
    const empty = parseHandoffSettings(settings.replace(/canned_replies:[\s\S]*$/, 'canned_replies: []\n'), 'handoff.yaml')
    expect(cannedReplies(empty)).toEqual(BUILT_IN_CANNED)
    // The shipped file has its own list.
    expect(cannedReplies(parseHandoffSettings(settings, 'handoff.yaml')).length).toBeGreaterThan(0)
  })
})

// ---- on the database -------------------------------------------------------------------------

describe.each(engines())('cases on $engine', ({ engine, skip }) => {
  let database: Database
  let db: Db
  let def: AssessmentDefinition
  let staffA: Staff
  let staffB: Staff
  let staffP: Staff

  beforeEach((ctx) => {
    if (skip) ctx.skip(skip)
  })
  beforeAll(async () => {
    if (skip) return
    database = engine === 'pglite' ? await openPglite('memory://') : openPostgres(await freshServerDatabase(), { max: 4 })
    db = database.db
    await migrate(db, await readMigrations())
    def = await readDefinition()
    ;[staffA, staffB, staffP] = await Promise.all([
      createStaff(db, { username: 'amy', displayName: '王小美', role: 'consultant', password: 'correct horse battery' }),
      createStaff(db, { username: 'bob', displayName: '陳大明', role: 'consultant', password: 'correct horse battery' }),
      createStaff(db, { username: 'pat', displayName: '林PMO', role: 'pmo', password: 'correct horse battery' }),
    ])
  })
  afterAll(async () => database?.close())

  let userCounter = 0
  /** A user with a 1:1 conversation and an open case, as the chat side leaves it. */
  async function openCase(opts: { assignee?: string; intake?: Record<string, string | null>; dueAt?: Date } = {}): Promise<{ caseId: number; conversationId: number; userId: string }> {
    const userId = `Ucase${++userCounter}${'0'.repeat(24)}`
    await db.execute(sql`INSERT INTO users (id) VALUES (${userId})`)
    const conv = rowsOf<{ id: number }>(await db.execute(sql`INSERT INTO conversations (chat_type, chat_id, user_id, state) VALUES ('user', ${userId}, ${userId}, '{}'::jsonb) RETURNING id`))[0]!
    const conversationId = Number(conv.id)
    const row = rowsOf<{ id: number }>(
      await db.execute(sql`
        INSERT INTO cases (conversation_id, user_id, status, reason, intake, assignee_id, opened_at, due_at)
        VALUES (${conversationId}, ${userId}, 'open', 'asked', ${JSON.stringify(opts.intake ?? { company: '好食在食品行', contactTime: '平日下午', question: '雲市集點數怎麼用？' })}::jsonb,
          ${opts.assignee ?? null}::uuid, now(), ${(opts.dueAt ?? new Date(Date.now() + 3_600_000)).toISOString()}::timestamptz)
        RETURNING id`),
    )[0]!
    await db.execute(sql`UPDATE conversations SET state = ${JSON.stringify({ handoff: { caseId: Number(row.id), status: 'open' } })}::jsonb WHERE id = ${conversationId}`)
    return { caseId: Number(row.id), conversationId, userId }
  }

  const outboxOf = async (conversationId: number) =>
    rowsOf<{ id: number; reply_token: string | null; status: string; messages: unknown }>(await db.execute(sql`SELECT id, reply_token, status, messages FROM outbox WHERE conversation_id = ${conversationId} ORDER BY id`))

  describe('replying to a case', () => {
    it('queues the reply with the fresh reply token once, records it in the thread, and takes the case', async () => {
      const { caseId, conversationId } = await openCase()
      await db.execute(sql`INSERT INTO reply_tokens (conversation_id, token, received_at) VALUES (${conversationId}, 'fresh-token', now())`)
      const now = new Date()
      const [first] = await replyToCase(db, { caseId, staff: staffA, body: '您好，我是顧問王小美。', now })
      const [second] = await replyToCase(db, { caseId, staff: staffA, body: '請問貴公司有幾位員工？', now })
      const rows = await outboxOf(conversationId)
      expect(rows.map((r) => [Number(r.id), r.reply_token])).toEqual([
        [first, 'fresh-token'],
        [second, null], // single use: the second reply pushes
      ])
      const c = (await findCase(db, caseId))!
      expect(c.assigneeId).toBe(staffA.id)
      expect(c.firstResponseAt).not.toBeNull()
      expect(c.waitingSince).toBeNull()
      const thread = await loadThread(db, conversationId)
      expect(thread.map((m) => [m.text, m.staffName, m.delivery])).toEqual([
        ['您好，我是顧問王小美。', '王小美', 'sending'],
        ['請問貴公司有幾位員工？', '王小美', 'sending'],
      ])
      const audit = rowsOf<{ action: string }>(await db.execute(sql`SELECT action FROM audit_log WHERE target = ${`case:${caseId}`}`))
      expect(audit.map((a) => a.action)).toEqual(['case.reply', 'case.reply'])
    })

    it('pushes when the stored reply token is stale', async () => {
      const { caseId, conversationId } = await openCase()
      await db.execute(sql`INSERT INTO reply_tokens (conversation_id, token, received_at) VALUES (${conversationId}, 'old-token', now() - interval '5 minutes')`)
      await replyToCase(db, { caseId, staff: staffA, body: '您好', now: new Date() })
      expect((await outboxOf(conversationId)).map((r) => r.reply_token)).toEqual([null])
      expect(rowsOf(await db.execute(sql`SELECT 1 FROM reply_tokens WHERE conversation_id = ${conversationId}`))).toHaveLength(0)
    })

    it("refuses a consultant another consultant's case, and replies to a closed case", async () => {
      const { caseId, conversationId } = await openCase({ assignee: staffA.id })
      await expect(replyToCase(db, { caseId, staff: staffB, body: '插話', now: new Date() })).rejects.toMatchObject({ status: 403 })
      await expect(addNote(db, { caseId, staff: staffB, body: '偷看' })).rejects.toBeInstanceOf(CaseActionError)
      await resolveCase(db, { caseId, staff: staffA, now: new Date() })
      await expect(replyToCase(db, { caseId, staff: staffA, body: '還在嗎？', now: new Date() })).rejects.toMatchObject({ status: 409 })
      await expect(resolveCase(db, { caseId, staff: staffA, now: new Date() })).rejects.toMatchObject({ status: 409 })
      expect(await outboxOf(conversationId)).toHaveLength(1) // only the closing message
    })

    it('keeps concurrent replies in one order: thread, outbox and delivery agree, none lost', async () => {
      const { caseId, conversationId } = await openCase({ assignee: staffA.id })
      const bodies = Array.from({ length: 18 }, (_, i) => `第 ${i + 1} 則`)
      const results = await Promise.allSettled(bodies.map((body, i) => replyToCase(db, { caseId, staff: i % 3 === 2 ? staffB : i % 3 === 1 ? staffP : staffA, body, now: new Date() })))
      // Consultant B may not write in A's case: refused loudly, never dropped silently.
      for (const [i, r] of results.entries()) expect(r.status === 'fulfilled' ? 'sent' : (r.reason as CaseActionError).status).toBe(i % 3 === 2 ? 403 : 'sent')
      const rows = await outboxOf(conversationId)
      const thread = await loadThread(db, conversationId)
      expect(rows).toHaveLength(12)
      // Each transaction held the case lock, so message ids and outbox ids were taken in the same order.
      expect(thread.map((m) => m.outboxId)).toEqual(rows.map((r) => Number(r.id)))
      expect(thread.map((m) => m.text)).toEqual(rows.map((r) => (r.messages as { text: string }[])[0]!.text))
    })
  })

  describe('resolving, notes, assignment and retry', () => {
    it('resolves in one go: status, state slice removed, closing message queued and recorded', async () => {
      const { caseId, conversationId } = await openCase({ assignee: staffA.id })
      await resolveCase(db, { caseId, staff: staffA, now: new Date() })
      const c = (await findCase(db, caseId))!
      expect(c.status).toBe('resolved')
      expect(c.resolvedBy).toBe('staff:amy')
      const state = rowsOf<{ state: Record<string, unknown> }>(await db.execute(sql`SELECT state FROM conversations WHERE id = ${conversationId}`))[0]!.state
      expect(state).not.toHaveProperty('handoff')
      const rows = await outboxOf(conversationId)
      expect(rows).toHaveLength(1)
      expect(rows[0]!.messages).toEqual(caseClosedMessages(caseId, 'consultant'))
      const thread = await loadThread(db, conversationId)
      expect(thread.at(-1)).toMatchObject({ direction: 'out', staffName: null, outboxId: Number(rows[0]!.id) })
    })

    it('stores notes and reassigns within the rules', async () => {
      const { caseId } = await openCase()
      await addNote(db, { caseId, staff: staffA, body: '客戶偏好電話聯絡' })
      await expect(assignCase(db, { caseId, staff: staffA, target: { id: staffB.id, role: 'consultant', active: true } })).rejects.toMatchObject({ status: 403 })
      await assignCase(db, { caseId, staff: staffA, target: { id: staffA.id, role: 'consultant', active: true } })
      await assignCase(db, { caseId, staff: staffA, target: { id: staffB.id, role: 'consultant', active: true } })
      expect((await findCase(db, caseId))!.assigneeName).toBe('陳大明')
      await assignCase(db, { caseId, staff: staffP, target: null })
      const c = (await findCase(db, caseId))!
      expect(c.assigneeId).toBeNull()
      const ctx = await loadContext(db, c)
      expect(ctx.notes.map((n) => [n.text, n.staffName])).toEqual([['客戶偏好電話聯絡', '王小美']])
    })

    it('retries only a failed delivery of this case', async () => {
      const { caseId, conversationId } = await openCase()
      const [id] = await replyToCase(db, { caseId, staff: staffA, body: '您好', now: new Date() })
      await expect(retryDelivery(db, { caseId, outboxId: id!, staff: staffA })).rejects.toMatchObject({ status: 409 })
      await db.execute(sql`UPDATE outbox SET status = 'failed', attempts = 6, last_error = 'LINE API 400' WHERE id = ${id!}`)
      const other = await openCase()
      await expect(retryDelivery(db, { caseId: other.caseId, outboxId: id!, staff: staffA })).rejects.toMatchObject({ status: 409 })
      await retryDelivery(db, { caseId, outboxId: id!, staff: staffA })
      expect((await outboxOf(conversationId)).map((r) => r.status)).toEqual(['pending'])
    })

    it('lists the inbox oldest-waiting first and flags overdue cases', async () => {
      const late = await openCase({ dueAt: new Date(Date.now() - 60_000) })
      await db.execute(sql`UPDATE cases SET opened_at = now() - interval '2 hours' WHERE id = ${late.caseId}`)
      const inbox = await listInbox(db, staffA, 'unassigned')
      expect(inbox[0]!.id).toBe(late.caseId)
      expect(isOverdue(inbox[0]!, new Date())).toBe(true)
      expect(inbox.every((c) => c.assigneeId === null && c.status === 'open')).toBe(true)
      const mine = await listInbox(db, staffA, 'mine')
      expect(mine.every((c) => c.assigneeId === staffA.id)).toBe(true)
    })
  })

  describe('notifying consultants by webhook', () => {
    /** A local receiver over a real socket: answers each POST with the next scripted status (then 200). */
    async function receiver(statuses: { status: number; retryAfter?: string }[]) {
      const posts: CaseNotice[] = []
      const server = createServer((req, res) => {
        let body = ''
        req.on('data', (d) => (body += d))
        req.on('end', () => {
          posts.push(JSON.parse(body) as CaseNotice)
          const next = statuses.shift() ?? { status: 200 }
          res.writeHead(next.status, next.retryAfter ? { 'retry-after': next.retryAfter } : {}).end(next.status === 200 ? 'ok' : 'try later')
        })
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const { port } = server.address() as AddressInfo
      return { url: `http://127.0.0.1:${port}/hook`, posts, close: () => new Promise<void>((r) => server.close(() => r())) }
    }

    async function notify(url: string) {
      const errors: string[] = []
      const settings = parseHandoffSettings(
        (await readFile(HANDOFF_SETTINGS_FILE, 'utf8')).replace(/webhook_url:.*$/m, `webhook_url: "${url}"`),
        'handoff.yaml',
      )
      const waits: number[] = []
      const log = { ...silentLogger, error: (msg: string) => void errors.push(msg) }
      // Earlier tests' cases are not this test's business.
      await db.execute(sql`UPDATE cases SET notified_at = now() WHERE notified_at IS NULL`)
      const { caseId } = await openCase()
      const sent = await notifyNewCases({
        db,
        settings,
        log,
        webhookRetry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 1000, sleep: (ms) => (waits.push(ms), new Promise((r) => setTimeout(r, ms))) },
      })
      return { caseId, sent, errors, waits }
    }

    it('tries a POST again after a 5xx, honouring Retry-After, so a brief outage loses no notice', async () => {
      const hook = await receiver([{ status: 503, retryAfter: '0' }, { status: 502 }])
      try {
        const { caseId, sent, errors, waits } = await notify(hook.url)
        expect(sent).toBe(1)
        expect(hook.posts.map((p) => [p.type, p.case.id])).toEqual([
          ['case.opened', caseId],
          ['case.opened', caseId],
          ['case.opened', caseId],
        ])
        expect(waits[0]).toBe(0) // Retry-After: 0
        expect(waits[1]).toBeGreaterThan(0) // backoff
        expect(errors).toEqual([])
      } finally {
        await hook.close()
      }
    })

    it('does not repeat a POST the receiver refused (4xx), and logs it', async () => {
      const hook = await receiver([{ status: 400 }])
      try {
        const { sent, errors } = await notify(hook.url)
        expect(sent).toBe(1)
        expect(hook.posts).toHaveLength(1)
        expect(errors).toEqual(['handoff webhook failed'])
      } finally {
        await hook.close()
      }
    })
  })

  describe('the case summary', () => {
    const result = (): AssessmentResult => ({
      version: '1',
      completedAt: '2026-03-01T00:00:00Z',
      overall: { level: 2, average: 2.4, answered: 7, total: 7 },
      functions: [
        { id: 'production', level: 1 },
        { id: 'inventory', level: 2 },
        { id: 'finance', level: 3 },
      ],
      weakest: ['production', 'inventory'],
      tools: [],
      facts: {},
      profile: { industry: '製造業', employees: '10～49人' },
      programmes: [
        { programme: 'p1', track: 't', name: '雲市集｜數位工具', verdict: 'eligible', window: 'open', lines: [], document: 'd' },
        { programme: 'p2', track: 't', name: '數位轉型｜個案', verdict: 'needs-checking', window: 'open', lines: [], document: 'd' },
        { programme: 'p3', track: 't', name: '其他計畫', verdict: 'not-eligible', window: 'open', lines: [], document: 'd' },
      ],
    })

    async function caseWithContext(): Promise<{ c: CaseRow; ctx: Awaited<ReturnType<typeof loadContext>> }> {
      const { caseId, userId, conversationId } = await openCase()
      await db.execute(sql`
        INSERT INTO assessments (id, user_id, version, status, result, overall_level, started_at, updated_at, completed_at)
        VALUES (${crypto.randomUUID()}, ${userId}, '1', 'completed', ${JSON.stringify(result())}::jsonb, 2, now(), now(), now())`)
      await db.execute(sql`
        INSERT INTO answers (id, conversation_id, user_id, question, search_query, answer_text, covered, mode)
        VALUES (${crypto.randomUUID()}, ${conversationId}, ${userId}, '補助款多久撥下來？', 'q', '', false, 'extractive')`)
      const c = (await findCase(db, caseId))!
      return { c, ctx: await loadContext(db, c) }
    }

    it('builds the offline summary from the case, the assessment and the unanswered questions', async () => {
      const { c, ctx } = await caseWithContext()
      const facts = summaryFacts(c, ctx, def)
      expect(facts).toMatchObject({ company: '好食在食品行', question: '雲市集點數怎麼用？', eligible: ['雲市集｜數位工具'], needsChecking: ['數位轉型｜個案'] })
      expect(facts.weakest).toEqual(['生產與營運', def.functions.find((f) => f.id === 'inventory')!.name])
      const text = templateSummary(facts)
      expect(text).toContain('好食在食品行，製造業，10～49人：使用者主動要求真人顧問，想詢問「雲市集點數怎麼用？」。')
      expect(text).toContain('數位健檢整體第 2 級（基本文書軟體）')
      expect(text).toContain('可能符合：雲市集｜數位工具。')
      expect(text).toContain('小幫手未能回答 1 題，最近一題：「補助款多久撥下來？」。')
      expect(text).not.toContain('其他計畫')
    })

    describe('with a model', () => {
      let fake: FakeOpenAI
      beforeAll(async () => {
        fake = await startFakeOpenAI()
      })
      afterAll(async () => fake?.close())
      const chat = () => openAIChat({ apiKey: 'test-key', baseUrl: fake.url, model: 'fake-model' })

      it('uses the LLM summary when it is valid, stores it, and sends the facts as data', async () => {
        const { c, ctx } = await caseWithContext()
        fake.reply({ content: '{"summary": "好食在食品行（製造業）想了解雲市集點數，數位程度第 2 級，生產與營運較弱。"}' })
        const summarizer = createSummarizer(chat(), def, SUMMARY_PROMPT)
        expect(await summarizer.summaryFor(db, c, ctx)).toEqual({ text: '好食在食品行（製造業）想了解雲市集點數，數位程度第 2 級，生產與營運較弱。', source: 'llm' })
        expect((await findCase(db, c.id))!.summary).toContain('好食在食品行')
        const prompt = fake.chatRequests.at(-1)!.messages
        expect(prompt[0]!.content).toContain('只能使用 JSON 裡有的事實')
        expect(JSON.parse(prompt[1]!.content)).toMatchObject({ company: '好食在食品行' })
      })

      it('keeps the stored summary while the facts are unchanged, and writes a new one when they change', async () => {
        const { c, ctx } = await caseWithContext()
        const summarizer = createSummarizer(chat(), def, SUMMARY_PROMPT)
        fake.reply({ content: '{"summary": "好食在食品行想了解雲市集點數，小幫手有問題沒答出來。"}' })
        expect((await summarizer.summaryFor(db, c, ctx)).text).toBe('好食在食品行想了解雲市集點數，小幫手有問題沒答出來。')
        const asked = fake.chatRequests.length

        // Viewed again with the same facts: the stored text, no new model call.
        const again = (await findCase(db, c.id))!
        expect(await summarizer.summaryFor(db, again, await loadContext(db, again))).toEqual({ text: '好食在食品行想了解雲市集點數，小幫手有問題沒答出來。', source: 'llm' })
        expect(fake.chatRequests.length).toBe(asked)

        // Another question the bot could not answer: the summary is written again from the new facts.
        await db.execute(sql`
          INSERT INTO answers (id, conversation_id, user_id, question, search_query, answer_text, covered, mode)
          VALUES (${crypto.randomUUID()}, ${c.conversationId}, ${c.userId}, '可以同時申請兩個計畫嗎？', 'q', '', false, 'extractive')`)
        const changed = (await findCase(db, c.id))!
        fake.reply({ content: '{"summary": "好食在食品行想了解雲市集點數，也問能否同時申請兩個計畫。"}' })
        expect((await summarizer.summaryFor(db, changed, await loadContext(db, changed))).text).toBe('好食在食品行想了解雲市集點數，也問能否同時申請兩個計畫。')
        expect(fake.chatRequests.length).toBe(asked + 1)
        expect(JSON.parse(fake.chatRequests.at(-1)!.messages[1]!.content).unanswered).toContain('可以同時申請兩個計畫嗎？')
        expect((await findCase(db, c.id))!.summary).toBe('好食在食品行想了解雲市集點數，也問能否同時申請兩個計畫。')
      })

      it('falls back to the template on malformed output, an invented figure, or an error', async () => {
        const { c, ctx } = await caseWithContext()
        const facts = summaryFacts(c, ctx, def)
        fake.reply({ content: 'not json' })
        expect(await llmSummary(chat(), 'p', facts)).toBeUndefined()
        fake.reply({ content: '{"summary": "這家公司可申請 30 萬元補助，數位程度第 2 級。"}' })
        expect(await llmSummary(chat(), 'p', facts)).toBeUndefined()
        fake.reply({ status: 500 })
        const summarizer = createSummarizer(chat(), def, SUMMARY_PROMPT)
        expect(await summarizer.summaryFor(db, c, ctx)).toEqual({ text: templateSummary(facts), source: 'template' })
        expect((await findCase(db, c.id))!.summary).toBeNull()
        fake.reply({ content: '{"summary": "x"}', delayMs: 300 })
        expect(await llmSummary(chat(), 'p', facts, 50)).toBeUndefined()
      })
    })
  })
})
