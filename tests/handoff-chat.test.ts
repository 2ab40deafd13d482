import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { dueAt } from '../src/handoff/hours.js'
import { HANDOFF_SETTINGS_FILE } from '../src/handoff/load.js'
import { parseHandoffSettings } from '../src/handoff/settings.js'
import { postbackEvent, stickerEvent, textEvent } from '../src/simulator/events.js'
import { engines, startBot, startFakeLine, TOKEN, waitFor, type Bot, type Engine, type FakeLineServer } from './helpers/harness.js'

/**
 * The chat side of a consultant handoff, through the real path: signed webhooks → the real app and
 * worker → the database → replies captured by the fake LINE API; consultants' notifications go to
 * the fake LINE API (group push) and to a local webhook receiver over real sockets.
 */

const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')
const GROUP = `C${'0123456789abcdef'.repeat(2)}`

type Item = { action: { type: string; label: string; data?: string; text?: string } }
type Msg = { type: string; text?: string; altText?: string; quickReply?: { items: Item[] } }
type Notice = { type: string; case: { id: number; intake: Record<string, string | null>; assignee: string | null; dueAt: string }; text: string }

/** A local HTTP server standing in for the consultants' chat webhook (Slack, Teams…). */
async function startReceiver(): Promise<{ url: string; notices: Notice[]; close(): Promise<void> }> {
  const notices: Notice[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      if (req.method === 'POST' && req.headers['content-type'] === 'application/json') notices.push(JSON.parse(body) as Notice)
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}/hooks/consultants`, notices, close: () => new Promise((r) => server.close(() => r())) }
}

/** The shipped settings with notification targets pointing at the test's receivers. */
async function settingsFile(webhookUrl: string, edit: (yaml: string) => string = (y) => y): Promise<string> {
  const yaml = (await readFile(HANDOFF_SETTINGS_FILE, 'utf8'))
    .replace(/line_group_id:.*$/m, `line_group_id: "${GROUP}"`)
    .replace(/webhook_url:.*$/m, `webhook_url: "${webhookUrl}"`)
    .replace('renotify_every_minutes: 60', 'renotify_every_minutes: 5')
  const file = join(await mkdtemp(join(tmpdir(), 'handoff-')), 'handoff.yaml')
  await writeFile(file, edit(yaml))
  return file
}

class Chat {
  constructor(
    readonly line: FakeLineServer,
    readonly bot: Bot,
    readonly user: string,
  ) {}

  /** Sends one event and waits until the worker has handled it; returns the replies it caused (maybe none). */
  async send(event: { webhookEventId: string }, expectReply = true): Promise<Msg[]> {
    const before = this.line.fake.deliveriesFor(this.user).length
    await this.bot.send([event])
    await waitFor(() => this.bot.handled.find((h) => h.event === event.webhookEventId), `handling of ${event.webhookEventId}`)
    if (!expectReply) return []
    const d = await waitFor(() => this.line.fake.deliveriesFor(this.user)[before], `reply to ${this.user}`)
    return d.messages as Msg[]
  }
  textEvent(text: string) {
    return textEvent({ userId: this.user }, text, this.line.fake.issueReplyToken(this.user))
  }
  say(text: string): Promise<Msg[]> {
    return this.send(this.textEvent(text))
  }
  postback(data: string): Promise<Msg[]> {
    return this.send(postbackEvent({ userId: this.user }, data, this.line.fake.issueReplyToken(this.user)))
  }
  get last(): Msg {
    return this.line.fake.messagesFor(this.user).at(-1) as Msg
  }
  async tap(label: string | RegExp): Promise<Msg[]> {
    const items = this.last.quickReply?.items ?? []
    const item = items.find((i) => (typeof label === 'string' ? i.action.label === label : label.test(i.action.label)))
    if (!item) throw new Error(`no quick reply ${String(label)} in [${items.map((i) => i.action.label).join(', ')}]`)
    return item.action.type === 'postback' ? this.postback(item.action.data!) : this.say(item.action.text ?? item.action.label)
  }
}

interface CaseRecord {
  id: number
  status: string
  reason: string
  assessment_id: string | null
  intake: Record<string, string | null>
  assignee_id: string | null
  opened_at: Date | string | null
  due_at: Date | string | null
  last_user_message_at: Date | string | null
  notified_at: Date | string | null
  overdue_notified_at: Date | string | null
  resolved_by: string | null
  satisfaction: number | null
}

async function casesOf(bot: Bot, user: string): Promise<CaseRecord[]> {
  const rows = rowsOf<CaseRecord & { id: number | string; intake: unknown }>(
    await bot.database.db.execute(sql`
      SELECT id, status, reason, assessment_id, intake, assignee_id, opened_at, due_at, last_user_message_at, notified_at, overdue_notified_at, resolved_by, satisfaction
      FROM cases WHERE user_id = ${user} ORDER BY id`),
  )
  return rows.map((r) => ({ ...r, id: Number(r.id), intake: (typeof r.intake === 'string' ? JSON.parse(r.intake) : r.intake) as Record<string, string | null> }))
}

async function conversationState(bot: Bot, user: string): Promise<Record<string, unknown>> {
  const [row] = rowsOf<{ state: unknown }>(await bot.database.db.execute(sql`SELECT state FROM conversations WHERE chat_type = 'user' AND chat_id = ${user}`))
  return (typeof row?.state === 'string' ? JSON.parse(row.state) : row?.state) as Record<string, unknown>
}

/** Asks for a consultant and answers the intake: company given, contact time skipped, question given. */
async function openCase(c: Chat): Promise<{ opened: Msg; caseId: number }> {
  const start = await c.say('我要找顧問')
  expect(start[0]!.text).toContain('轉介真人顧問')
  expect(start[0]!.text).toContain('公司的名稱')
  const contact = await c.say('阿明五金行')
  expect(contact[0]!.text).toContain('方便聯絡您的時間')
  const question = await c.tap('略過')
  expect(question[0]!.text).toContain('用一句話說明')
  const [opened] = await c.say('想了解雲市集數位點數怎麼申請')
  const caseId = Number(/編號 #(\d+)/.exec(opened!.text!)?.[1])
  expect(caseId).toBeGreaterThan(0)
  return { opened: opened!, caseId }
}

function botFor(engine: Engine) {
  let line: FakeLineServer
  let bot: Bot
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  return {
    get line() {
      return line
    },
    get bot() {
      return bot
    },
    get receiver() {
      return receiver
    },
    async start() {
      receiver = await startReceiver()
      line = await startFakeLine()
      bot = await startBot({ engine, lineUrl: line.url, knowledgeDir: FIXTURES, handoffFile: await settingsFile(receiver.url), handoffSweepMs: 200 })
      await bot.knowledgeReady
    },
    async close() {
      await bot?.close()
      await line?.close()
      await receiver?.close()
    },
  }
}

describe.each(engines())('handing a LINE user over to a consultant on $engine', ({ engine, skip }) => {
  const setup = botFor(engine)
  const chat = (user: string) => new Chat(setup.line, setup.bot, user)
  beforeEach((ctx) => {
    if (skip) ctx.skip(skip)
  })
  beforeAll(async () => {
    if (!skip) await setup.start()
  })
  afterAll(() => setup.close())

  it('runs intake, opens a numbered case, stays silent while it is open, then returns the user to the bot', async () => {
    const { bot, line, receiver } = setup
    const c = chat('Uh1')
    const { opened, caseId } = await openCase(c)
    expect(opened.text).toMatch(/目前是上班時間，顧問預計在 .+ 前回覆|現在非上班時間（上班時間：週一至週五 09:00–18:00），顧問將於 .+ 後回覆/)
    expect(opened.text).toContain('・公司：阿明五金行')
    expect(opened.text).toContain('・聯絡時間：（略過）')
    expect(opened.text).toContain('結束真人服務')
    const [row] = await casesOf(bot, 'Uh1')
    expect(row).toMatchObject({ id: caseId, status: 'open', reason: 'asked', intake: { company: '阿明五金行', contactTime: null, question: '想了解雲市集數位點數怎麼申請' } })
    // due_at is the opening time plus the response target in working time.
    const settings = parseHandoffSettings(await readFile(HANDOFF_SETTINGS_FILE, 'utf8'), 'handoff.yaml')
    expect(new Date(row!.due_at!)).toEqual(dueAt(new Date(row!.opened_at!), settings.response_target_hours, settings.office_hours))

    // Consultants hear of it: a push to their LINE group and a JSON POST to the webhook.
    const notice = await waitFor(() => receiver.notices.find((n) => n.type === 'case.opened' && n.case.id === caseId), 'webhook notice')
    expect(notice.case.intake.company).toBe('阿明五金行')
    expect(notice.text).toContain(`新的真人服務案件 #${caseId}`)
    const pushed = await waitFor(() => line.fake.deliveriesFor(GROUP).find((d) => JSON.stringify(d.messages).includes(`#${caseId}`)), 'group push')
    expect(pushed.via).toBe('push')

    // While open: no reply, the message is in the transcript, the reply token is kept for the consultant.
    const relayed = c.textEvent('請問大概什麼時候會有人回我？')
    const deliveries = line.fake.deliveriesFor('Uh1').length
    await c.send(relayed, false)
    expect(bot.handled.find((h) => h.event === relayed.webhookEventId)!.intent).toBe('handoff-relay')
    await new Promise((r) => setTimeout(r, 300))
    expect(line.fake.deliveriesFor('Uh1')).toHaveLength(deliveries)
    const stored = rowsOf<{ text: string }>(await bot.database.db.execute(sql`SELECT text FROM messages WHERE webhook_event_id = ${relayed.webhookEventId}`))
    expect(stored).toEqual([{ text: '請問大概什麼時候會有人回我？' }])
    const [token] = rowsOf<{ token: string }>(
      await bot.database.db.execute(sql`SELECT t.token FROM reply_tokens t JOIN conversations v ON v.id = t.conversation_id WHERE v.chat_id = 'Uh1'`),
    )
    expect(token!.token).toBe(relayed.replyToken)
    expect((await casesOf(bot, 'Uh1'))[0]!.last_user_message_at).not.toBeNull()
    // The kept token is unused: a consultant's reply can go out with it (free, unlike a push).
    const consultantReply = await fetch(`${line.url}/v2/bot/message/reply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ replyToken: token!.token, messages: [{ type: 'text', text: '您好，我是林顧問' }] }),
    })
    expect(consultantReply.status).toBe(200)
    // Menu words and stickers go to the consultant too.
    const menu = c.textEvent('選單')
    await c.send(menu, false)
    const sticker = stickerEvent({ userId: 'Uh1' }, line.fake.issueReplyToken('Uh1'))
    await c.send(sticker, false)
    expect([menu, sticker].map((e) => bot.handled.find((h) => h.event === e.webhookEventId)!.intent)).toEqual(['handoff-relay', 'handoff-relay'])
    expect(line.fake.deliveriesFor('Uh1')).toHaveLength(deliveries + 1) // + the consultant's reply above

    // 結束真人服務 closes the case and asks for a rating.
    const [closed] = await c.say('結束真人服務')
    expect(closed!.text).toContain(`已結束真人服務（案件編號 #${caseId}）`)
    expect(closed!.quickReply!.items.map((i) => i.action.label)).toEqual(['😀 很滿意', '🙂 滿意', '😐 普通', '🙁 不滿意'])
    expect((await c.tap('😀 很滿意'))[0]!.text).toContain('謝謝您的評分')
    expect((await casesOf(bot, 'Uh1'))[0]).toMatchObject({ status: 'resolved', resolved_by: 'user', satisfaction: 5 })
    expect(await conversationState(bot, 'Uh1')).not.toHaveProperty('handoff')

    // Back to the bot.
    const [answer] = await c.say('雲端點數最多可以拿多少？')
    expect(answer!.altText).toContain('20萬點')
  })

  it('opens one case for a redelivered webhook, and stores a redelivered message once', async () => {
    const { bot } = setup
    const c = chat('Uh2')
    const ask = c.textEvent('找真人')
    await c.send(ask)
    // LINE redelivers the same event (same webhookEventId): the inbox drops it.
    expect((await bot.send([ask])).status).toBe(200)
    await c.say('小明企業社')
    await c.tap('略過')
    await c.tap('略過')
    const during = c.textEvent('補充：我們有 12 位員工')
    await c.send(during, false)
    await bot.send([during])
    // Events of one chat are handled in order: once a later one is handled, a duplicate would have been too.
    await c.send(c.textEvent('謝謝'), false)
    expect(await casesOf(bot, 'Uh2')).toHaveLength(1)
    expect((await casesOf(bot, 'Uh2'))[0]).toMatchObject({ status: 'open', intake: { company: '小明企業社', contactTime: null, question: null } })
    const copies = rowsOf<{ n: number | string }>(await bot.database.db.execute(sql`SELECT count(*) AS n FROM messages WHERE webhook_event_id IN (${ask.webhookEventId}, ${during.webhookEventId})`))
    expect(Number(copies[0]!.n)).toBe(2)
    // Asking again says the case is open instead of opening another.
    const [again] = await c.say('找顧問')
    expect(again!.text).toMatch(/您的真人顧問案件 #\d+ 還在處理中/)
    expect(await casesOf(bot, 'Uh2')).toHaveLength(1)
  })
})

describe('consultant handoff triggers and endings', () => {
  const setup = botFor('pglite')
  const chat = (user: string) => new Chat(setup.line, setup.bot, user)
  beforeAll(() => setup.start())
  afterAll(() => setup.close())

  it('offers a consultant after two questions in a row the bot could not answer, carrying the question over', async () => {
    const c = chat('Uh3')
    const first = await c.say('青年創業貸款最高可以借多少？')
    expect(first).toHaveLength(1)
    const second = await c.say('勞保老年給付要怎麼請領？')
    const offer = second.at(-1)!
    expect(offer.text).toContain('要不要請真人顧問協助')
    expect(offer.quickReply!.items.map((i) => i.action.label)).toEqual(['找真人顧問', '繼續問小幫手', '選單'])
    const [start] = await c.tap('找真人顧問')
    expect(start!.text).toContain('「勞保老年給付要怎麼請領？」')
    expect(start!.text).toContain('公司的名稱')
    await c.say('阿珠小吃店')
    const [opened] = await c.say('平日下午')
    expect(opened!.text).toMatch(/編號 #\d+/)
    expect((await casesOf(setup.bot, 'Uh3'))[0]).toMatchObject({ status: 'open', reason: 'unanswered', intake: { company: '阿珠小吃店', contactTime: '平日下午', question: '勞保老年給付要怎麼請領？' } })
  })

  it('after 👎 on an answer, the consultant offer carries the question the user was unhappy with', async () => {
    const c = chat('Uh10')
    await c.say('雲端點數最多可以拿多少？')
    const [unhelpful] = await c.tap('👎 沒幫助')
    expect(unhelpful!.text).toContain('真人顧問')
    const [start] = await c.tap('找真人顧問')
    expect(start!.text).toContain('「雲端點數最多可以拿多少？」')
    expect((await casesOf(setup.bot, 'Uh10'))[0]).toMatchObject({ status: 'intake', reason: 'unhappy', intake: { question: '雲端點數最多可以拿多少？' } })
  })

  it('keeps the assessment on the case and assigns the least-loaded consultant for its region', async () => {
    const { bot } = setup
    await bot.database.db.execute(sql`
      INSERT INTO staff (id, username, display_name, role, password_hash, regions, industries) VALUES
        (${crypto.randomUUID()}, 'north', '北部顧問', 'consultant', 'x', '["臺北市"]'::jsonb, '[]'::jsonb),
        (${crypto.randomUUID()}, 'taichung', '中部顧問', 'consultant', 'x', '["臺中市", "彰化縣"]'::jsonb, '[]'::jsonb),
        (${crypto.randomUUID()}, 'pmo', 'PMO', 'pmo', 'x', '[]'::jsonb, '[]'::jsonb)`)
    const c = chat('Uh4')
    await c.postback('action=assess')
    for (const label of ['製造業', '10～49人', '1,000萬元以下', '超過1億～20億元', '有工廠登記', '中部']) await c.tap(label)
    for (let i = 0; i < 7; i++) await c.tap(/^② /)
    const card = c.last
    const button = card.quickReply!.items.find((i) => i.action.label === '💬 找顧問談結果')!
    const [assessment] = rowsOf<{ id: string }>(await bot.database.db.execute(sql`SELECT id FROM assessments WHERE user_id = 'Uh4' AND status = 'completed'`))
    expect(button.action.data).toBe(`action=consultant&assessment=${assessment!.id}`)
    const [start] = await c.tap('💬 找顧問談結果')
    expect(start!.text).toContain('數位健檢結果')
    // Another button of the card still works mid-intake, and the intake question follows its reply.
    const later = await c.postback('action=assess-later')
    expect(later[0]!.text).toContain('提升 1 級')
    expect(later.at(-1)!.text).toContain('轉介真人顧問還在進行中')
    expect(later.at(-1)!.text).toContain('公司的名稱')
    await c.tap('略過')
    await c.tap('略過')
    await c.say('想知道下一步該導入什麼系統')
    const [row] = await casesOf(bot, 'Uh4')
    const [taichung] = rowsOf<{ id: string }>(await bot.database.db.execute(sql`SELECT id FROM staff WHERE username = 'taichung'`))
    expect(row).toMatchObject({ status: 'open', reason: 'assessment', assessment_id: assessment!.id, assignee_id: taichung!.id })
    const notice = await waitFor(() => setup.receiver.notices.find((n) => n.case.id === row!.id), 'webhook notice')
    expect(notice.case.assignee).toBe('中部顧問')
  })

  it('cancels during intake, and answers normally afterwards', async () => {
    const c = chat('Uh5')
    await c.postback('action=consultant')
    // A question asked instead of the company name is answered, and the intake question asked again.
    const answered = await c.say('雲端點數最多可以拿多少？')
    expect(answered[0]!.altText).toContain('20萬點')
    expect(answered.at(-1)!.text).toContain('公司的名稱')
    expect((await casesOf(setup.bot, 'Uh5'))[0]!.intake).toEqual({})
    // A sticker gets the usual polite reply; the question follows with its own and the menu's quick replies.
    const sticker = await c.send(stickerEvent({ userId: 'Uh5' }, setup.line.fake.issueReplyToken('Uh5')))
    expect(sticker[0]!.text).toContain('謝謝您的貼圖')
    expect(sticker.at(-1)!.quickReply!.items.map((i) => i.action.label)).toEqual(['略過', '取消', '問計畫問題', '數位程度評測', '找真人顧問', '訂閱通知', '我的資料'])
    const [cancelled] = await c.tap('取消')
    expect(cancelled!.text).toContain('已取消這次的真人顧問轉介')
    expect((await casesOf(setup.bot, 'Uh5'))[0]).toMatchObject({ status: 'resolved', resolved_by: 'cancelled' })
    const [answer] = await c.say('雲端點數最多可以拿多少？')
    expect(answer!.altText).toContain('20萬點')
    // An old intake button now says there is nothing to skip.
    expect((await c.postback('action=handoff-skip&field=company'))[0]!.text).toContain('目前沒有進行中的真人服務')
  })

  it('answers again after a consultant closes the case from the console', async () => {
    const { bot } = setup
    const c = chat('Uh6')
    const { caseId } = await openCase(c)
    // What the console does on resolve, in one transaction (see src/handoff/state.ts).
    await bot.database.db.transaction(async (tx) => {
      await tx.execute(sql`UPDATE cases SET status = 'resolved', resolved_at = now(), resolved_by = 'consultant' WHERE id = ${caseId}`)
      await tx.execute(sql`UPDATE conversations SET state = state - 'handoff' WHERE chat_type = 'user' AND chat_id = 'Uh6'`)
    })
    const [answer] = await c.say('雲端點數最多可以拿多少？')
    expect(answer!.altText).toContain('20萬點')
    // A rating for someone else's case is not stored.
    await chat('Uintruder').postback(`action=case-rating&case=${caseId}&score=1`)
    expect((await casesOf(bot, 'Uh6'))[0]!.satisfaction).toBeNull()
  })

  it('still deletes the user’s data during an open case', async () => {
    const c = chat('Uh7')
    await openCase(c)
    const [confirm] = await c.say('刪除我的資料')
    expect(confirm!.text).toContain('確定要刪除')
    const before = rowsOf<{ n: string }>(await setup.bot.database.db.execute(sql`SELECT count(*) AS n FROM cases WHERE opened_at IS NOT NULL`))[0]!.n
    expect((await c.tap('確認刪除'))[0]!.text).toContain('已刪除')
    expect(await casesOf(setup.bot, 'Uh7')).toEqual([])
    // The PMO's handoff count is unchanged: the case stays as an anonymous, closed row.
    const after = rowsOf<{ n: string; open: string }>(
      await setup.bot.database.db.execute(sql`SELECT count(*) AS n, count(*) FILTER (WHERE status <> 'resolved' AND user_id = 'deleted') AS open FROM cases WHERE opened_at IS NOT NULL`),
    )[0]!
    expect([Number(after.n), Number(after.open)]).toEqual([Number(before), 0])
  })

  it('flags a case past its due time with no consultant reply, and notifies again once per period', async () => {
    const { bot, receiver } = setup
    const c = chat('Uh8')
    const { caseId } = await openCase(c)
    await waitFor(() => receiver.notices.find((n) => n.type === 'case.opened' && n.case.id === caseId), 'opened notice')
    await bot.database.db.execute(sql`UPDATE cases SET due_at = now() - interval '1 minute' WHERE id = ${caseId}`)
    const overdue = await waitFor(() => receiver.notices.find((n) => n.type === 'case.overdue' && n.case.id === caseId), 'overdue notice')
    expect(overdue.text).toContain(`案件 #${caseId} 已超過回覆期限`)
    expect((await casesOf(bot, 'Uh8'))[0]!.overdue_notified_at).not.toBeNull()
    // Several sweeps later (every 200 ms here) it has not been repeated: the period is 5 minutes.
    await new Promise((r) => setTimeout(r, 800))
    expect(receiver.notices.filter((n) => n.type === 'case.overdue' && n.case.id === caseId)).toHaveLength(1)
  })

  it('points group members to the 1:1 chat', async () => {
    const { bot, line } = setup
    await bot.send([textEvent({ userId: 'Uh9', groupId: 'Cgroup1' }, '找顧問', line.fake.issueReplyToken('Cgroup1'), true)])
    const d = await waitFor(() => line.fake.deliveriesFor('Cgroup1')[0], 'group reply')
    expect((d.messages[0] as Msg).text).toContain('一對一聊天')
  })
})

describe('a broken handoff settings file', () => {
  it('stops the start with a message naming the file and the field', async () => {
    const line = await startFakeLine()
    try {
      const file = await settingsFile('http://127.0.0.1:9/x', (y) => y.replace('response_target_hours: 2', 'response_target_hours: soon'))
      await expect(startBot({ engine: 'pglite', lineUrl: line.url, knowledgeDir: false, handoffFile: file })).rejects.toThrow(/handoff\.yaml[\s\S]*response_target_hours/)
    } finally {
      await line.close()
    }
  })
})
