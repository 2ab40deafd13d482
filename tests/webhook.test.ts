import { sql } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { claimEvents, createInboxWriter, renewLease } from '../src/inbox/store.js'
import { createLineApi } from '../src/line/client.js'
import { deliverDue, enqueueOutbox } from '../src/line/outbox.js'
import { webhookBodySchema } from '../src/line/events.js'
import { followEvent, imageEvent, postbackEvent, stickerEvent, textEvent, unfollowEvent, webhookBody } from '../src/simulator/events.js'
import { signBody } from '../src/line/signature.js'
import { engines, startBot, startFakeLine, TOKEN, waitFor, type Bot, type FakeLineServer } from './helpers/harness.js'
import { startFakeOpenAI } from './helpers/fake-openai.js'
import { join } from 'node:path'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')

async function count(bot: Bot, table: string): Promise<number> {
  const rows = rowsOf<{ n: string | number }>(await bot.database.db.execute(sql.raw(`SELECT count(*) AS n FROM ${table}`)))
  return Number(rows[0]!.n)
}

function texts(line: FakeLineServer, chatId: string): string[] {
  return line.fake.messagesFor(chatId).map((m) => String(m.text ?? m.altText ?? `[${String(m.type)}]`))
}

describe.each(engines())('webhook on $engine', ({ engine, skip }) => {
  let line: FakeLineServer
  let bot: Bot
  const extra: Bot[] = []

  beforeEach(async (ctx) => {
    if (skip) ctx.skip(skip)
    line = await startFakeLine()
    bot = await startBot({ engine, lineUrl: line.url })
  })
  afterEach(async () => {
    for (const b of extra.splice(0)) await b.close().catch(() => {})
    await bot?.close().catch(() => {})
    await line?.close()
  })

  it('rejects a missing or wrong signature with 401 and stores nothing', async () => {
    const body = webhookBody([followEvent({ userId: 'U1' }, 'tok')])
    const missing = await fetch(`${bot.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    expect(missing.status).toBe(401)
    const wrong = await bot.send([followEvent({ userId: 'U1' }, 'tok')], 'another-secret')
    expect(wrong.status).toBe(401)
    const tampered = await fetch(`${bot.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': signBody('test-channel-secret', body) },
      body: body.replace('U1', 'U2'),
    })
    expect(tampered.status).toBe(401)
    expect(await count(bot, 'inbox')).toBe(0)
  })

  it('rejects malformed JSON and a malformed body with 400 and stores nothing', async () => {
    const bad = '{"destination":"x","events":[{'
    const r1 = await fetch(`${bot.url}/webhook`, { method: 'POST', headers: { 'x-line-signature': signBody('test-channel-secret', bad) }, body: bad })
    expect(r1.status).toBe(400)
    const noEvents = JSON.stringify({ destination: 'x', events: 'none' })
    const r2 = await fetch(`${bot.url}/webhook`, { method: 'POST', headers: { 'x-line-signature': signBody('test-channel-secret', noEvents) }, body: noEvents })
    expect(r2.status).toBe(400)
    expect((await r2.json()) as object).toHaveProperty('error', 'malformed webhook body')
    expect(await count(bot, 'inbox')).toBe(0)
  })

  it('drops only the malformed event of a batch; the others are stored and answered', async () => {
    const shapeless = { type: 'message', webhookEventId: 'Ebroken', timestamp: 1, replyToken: 't', source: { type: 'user', userId: 'Ubroken' } }
    const good = textEvent({ userId: 'Ubatch' }, '選單', line.fake.issueReplyToken('Ubatch'))
    expect((await bot.send([shapeless, good])).status).toBe(200)
    await waitFor(() => line.fake.deliveriesFor('Ubatch').length === 1, 'reply to the good event')
    expect(await count(bot, 'inbox')).toBe(1)
  })

  it('stores text Postgres cannot hold (NUL, a lone surrogate) cleaned, without failing the requests sent with it', async () => {
    const users = Array.from({ length: 6 }, (_, i) => `Unul${i}`)
    const nasty = textEvent({ userId: 'Unasty' }, `選\u0000單\ud800`, line.fake.issueReplyToken('Unasty'))
    const sent = await Promise.all([nasty, ...users.map((u) => textEvent({ userId: u }, '選單', line.fake.issueReplyToken(u)))].map((e) => bot.send([e])))
    expect(sent.map((r) => r.status)).toEqual(Array(7).fill(200))
    for (const u of ['Unasty', ...users]) await waitFor(() => line.fake.deliveriesFor(u).length === 1, `reply to ${u}`)
    const text = rowsOf<{ t: string }>(await bot.database.db.execute(sql`SELECT payload->'message'->>'text' AS t FROM inbox WHERE user_id = 'Unasty'`))[0]!.t
    expect(text).toBe('選單\uFFFD')
  })

  it('a batch write that fails is retried per request, so only the request with the bad event fails', async () => {
    const write = createInboxWriter(bot.database.db)
    const parsed = (e: unknown) => webhookBodySchema.parse(JSON.parse(webhookBody([e]))).events[0]!
    // Straight to the writer, past the webhook's cleaning: jsonb refuses \u0000.
    const bad = { ...parsed(textEvent({ userId: 'Ubadrow' }, 'x', 'tok')), message: { id: 'm', type: 'text', text: 'a\u0000b' } }
    const goods = Array.from({ length: 4 }, (_, i) => parsed(textEvent({ userId: `Ugoodrow${i}` }, '選單', `tok${i}`)))
    const results = await Promise.allSettled([write([bad]), ...goods.map((g) => write([g]))])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'])
    expect(await count(bot, "inbox WHERE user_id LIKE 'Ugoodrow%'")).toBe(4)
  })

  it('accepts events without a reply token: a standby-mode message is recorded and not answered', async () => {
    const standby = { ...textEvent({ userId: 'Ustandby' }, '選單', 'unused'), mode: 'standby' } as Record<string, unknown>
    delete standby.replyToken
    const active = textEvent({ userId: 'Uactive' }, '選單', line.fake.issueReplyToken('Uactive'))
    expect((await bot.send([standby, active])).status).toBe(200)
    await waitFor(() => line.fake.deliveriesFor('Uactive').length === 1, 'reply to the active event')
    await waitFor(async () => (await count(bot, "inbox WHERE user_id = 'Ustandby' AND status = 'done'")) === 1, 'standby event handled')
    expect(line.fake.deliveriesFor('Ustandby')).toHaveLength(0)
  })

  it('answers 413 to an oversize body', async () => {
    const huge = webhookBody([textEvent({ userId: 'U1' }, 'x'.repeat(1024 * 1024), 'tok')])
    const res = await fetch(`${bot.url}/webhook`, { method: 'POST', headers: { 'x-line-signature': signBody('test-channel-secret', huge) }, body: huge })
    expect(res.status).toBe(413)
    expect(await count(bot, 'inbox')).toBe(0)
  })

  it('counts the bytes of a chunked body (no Content-Length): 413 when oversize, accepted otherwise', async () => {
    const chunked = (body: string) => {
      const bytes = new TextEncoder().encode(body)
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024))
          controller.close()
        },
      })
      return fetch(`${bot.url}/webhook`, {
        method: 'POST',
        headers: { 'x-line-signature': signBody('test-channel-secret', body) },
        body: stream,
        duplex: 'half',
      } as RequestInit)
    }
    const huge = webhookBody([textEvent({ userId: 'U1' }, 'x'.repeat(1024 * 1024), 'tok')])
    expect((await chunked(huge)).status).toBe(413)
    expect(await count(bot, 'inbox')).toBe(0)
    const small = webhookBody([textEvent({ userId: 'U1' }, '選單', 'tok')])
    expect((await chunked(small)).status).toBe(200)
    expect(await count(bot, 'inbox')).toBe(1)
  })

  it('accepts LINE\'s verify request (no events)', async () => {
    expect((await bot.send([])).status).toBe(200)
  })

  it('welcomes a new follower by reply, with the automation notice, privacy notice and quick replies', async () => {
    const res = await bot.send([followEvent({ userId: 'Ufollow' }, line.fake.issueReplyToken('Ufollow'))])
    expect(res.status).toBe(200)
    const delivery = await waitFor(() => line.fake.deliveriesFor('Ufollow')[0], 'welcome')
    expect(delivery.via).toBe('reply')
    const all = texts(line, 'Ufollow').join('\n')
    expect(all).toContain('自動產生')
    expect(all).toContain('隱私')
    expect(all).toContain('刪除我的資料')
    const last = delivery.messages.at(-1) as { quickReply?: { items: unknown[] } }
    expect(last.quickReply?.items.length).toBeGreaterThan(0)
    const users = rowsOf<{ status: string }>(await bot.database.db.execute(sql`SELECT status FROM users WHERE id = 'Ufollow'`))
    expect(users[0]?.status).toBe('active')
  })

  it('marks an unfollowing user inactive and sends nothing', async () => {
    await bot.send([followEvent({ userId: 'Ubye' }, line.fake.issueReplyToken('Ubye'))])
    await waitFor(() => line.fake.deliveriesFor('Ubye').length === 1, 'welcome')
    await bot.send([unfollowEvent({ userId: 'Ubye' })])
    await waitFor(() => bot.handled.some((h) => h.kind === 'unfollow'), 'unfollow handled')
    const users = rowsOf<{ status: string }>(await bot.database.db.execute(sql`SELECT status FROM users WHERE id = 'Ubye'`))
    expect(users[0]?.status).toBe('inactive')
    expect(line.fake.deliveriesFor('Ubye')).toHaveLength(1)
  })

  it('handles a duplicate or redelivered event once', async () => {
    const event = textEvent({ userId: 'Udup' }, '選單', line.fake.issueReplyToken('Udup'))
    expect((await bot.send([event, event])).status).toBe(200)
    const redelivered = { ...event, deliveryContext: { isRedelivery: true } }
    expect((await bot.send([redelivered])).status).toBe(200)
    await waitFor(() => line.fake.deliveriesFor('Udup').length === 1, 'one reply')
    await new Promise((r) => setTimeout(r, 400))
    expect(line.fake.deliveriesFor('Udup')).toHaveLength(1)
    expect(bot.handled.filter((h) => h.event === event.webhookEventId)).toHaveLength(1)
    expect(await count(bot, "messages WHERE direction = 'in'")).toBe(1)
  })

  it('counts an event new exactly once when copies are written in batches in flight at the same time', async () => {
    const write = createInboxWriter(bot.database.db)
    // Events as the webhook hands them over: parsed by its schema.
    const parsed = (e: unknown) => webhookBodySchema.parse(JSON.parse(webhookBody([e]))).events[0]!
    const event = parsed(textEvent({ userId: 'Uconcurrent' }, '選單', 'tok'))
    const others = Array.from({ length: 6 }, (_, i) => parsed(textEvent({ userId: `Uother${i}` }, '選單', `tok${i}`)))
    // A turn between calls, so each copy goes out in its own INSERT while the earlier ones are in flight.
    const results: Promise<number>[] = []
    for (const other of others) {
      results.push(write([event, other]))
      await new Promise((r) => setImmediate(r))
    }
    const added = await Promise.all(results)
    expect(added.reduce((a, b) => a + b, 0)).toBe(1 + others.length)
    expect(await count(bot, `inbox WHERE webhook_event_id = '${event.webhookEventId}'`)).toBe(1)
  })

  it('replies to each user\'s events in the order they were sent', async () => {
    const words = ['選單', '你好', '貼圖?', 'menu', '選單']
    const events = words.map((w) => textEvent({ userId: 'Uorder' }, w, line.fake.issueReplyToken('Uorder')))
    await bot.send(events)
    await waitFor(() => line.fake.deliveriesFor('Uorder').length === 5, 'five replies')
    // The worker reports an event handled after its reply was delivered: wait for the last report too.
    const ours = () => bot.handled.filter((h) => events.some((e) => e.webhookEventId === h.event))
    await waitFor(() => ours().length === 5, 'five handled reports')
    const handledOrder = ours().map((h) => h.event)
    expect(handledOrder).toEqual(events.map((e) => e.webhookEventId))
  })

  it('processes an acknowledged event after a restart, exactly once', async () => {
    const dir = engine === 'pglite' ? `/tmp/sme-crash-${crypto.randomUUID()}` : undefined
    await bot.close()
    // An instance that acknowledges but dies before handling anything.
    const first = await startBot({ engine, lineUrl: line.url, database: dir ?? bot.databaseRef, worker: false })
    const event = textEvent({ userId: 'Ucrash' }, '選單', line.fake.issueReplyToken('Ucrash'))
    expect((await first.send([event])).status).toBe(200)
    await first.close()
    expect(line.fake.deliveriesFor('Ucrash')).toHaveLength(0)
    bot = await startBot({ engine, lineUrl: line.url, database: first.databaseRef })
    await waitFor(() => line.fake.deliveriesFor('Ucrash').length === 1, 'reply after restart')
    await new Promise((r) => setTimeout(r, 500))
    expect(line.fake.deliveriesFor('Ucrash')).toHaveLength(1)
  })

  it('takes over an event whose worker died mid-way once its lease expires', async () => {
    await bot.close()
    const first = await startBot({ engine, lineUrl: line.url, database: engine === 'pglite' ? `/tmp/sme-lease-${crypto.randomUUID()}` : bot.databaseRef, worker: false })
    const event = textEvent({ userId: 'Ulease' }, '選單', line.fake.issueReplyToken('Ulease'))
    await first.send([event])
    // A worker claims it with a short lease and then vanishes.
    const claimed = await claimEvents(first.database.db, 'dead-worker', 10, 1)
    expect(claimed.map((r) => r.webhookEventId)).toEqual([event.webhookEventId])
    await first.close()
    bot = await startBot({ engine, lineUrl: line.url, database: first.databaseRef })
    await waitFor(() => line.fake.deliveriesFor('Ulease').length === 1, 'reply after lease expiry', 15_000)
    await new Promise((r) => setTimeout(r, 400))
    expect(line.fake.deliveriesFor('Ulease')).toHaveLength(1)
  })

  it('a restarted instance takes up at once what its previous run had claimed, not what another live instance holds', async () => {
    await bot.close()
    const env = { INSTANCE_ID: 'bot-a' }
    const first = await startBot({ engine, lineUrl: line.url, worker: false, env, ...(engine === 'pglite' ? { database: `/tmp/sme-reclaim-${crypto.randomUUID()}` } : {}) })
    await first.send([textEvent({ userId: 'Ureclaim' }, '選單', line.fake.issueReplyToken('Ureclaim'))])
    // Claimed for five minutes by this instance's run, which then dies.
    expect(await claimEvents(first.database.db, 'bot-a', 10, 300)).toHaveLength(1)
    if (engine === 'postgres') {
      // Another instance sharing the server is alive and working on its own event.
      await first.send([textEvent({ userId: 'Uothers' }, '選單', line.fake.issueReplyToken('Uothers'))])
      expect(await claimEvents(first.database.db, 'bot-b', 10, 300)).toHaveLength(1)
    }
    await first.close()
    bot = await startBot({ engine, lineUrl: line.url, database: first.databaseRef, env })
    await waitFor(() => line.fake.deliveriesFor('Ureclaim').length === 1, 'reply soon after restart', 10_000)
    if (engine === 'postgres') {
      await new Promise((r) => setTimeout(r, 1000))
      expect(line.fake.deliveriesFor('Uothers')).toHaveLength(0)
    }
  })

  it('never sends twice a delivery cut off after LINE accepted it (reply, or push with its retry key)', async () => {
    await bot.worker?.stop()
    const db = bot.database.db
    const api = createLineApi({ channelAccessToken: TOKEN, baseUrl: line.url })
    const message = [{ type: 'text' as const, text: '已收到您的問題' }]
    // What a process that died mid-call leaves: the row 'sending', its lock lapsed, the call made.
    const cutOff = async (id: number) => db.execute(sql`UPDATE outbox SET status = 'sending', attempts = 1, locked_until = now() - interval '1 second' WHERE id = ${id}`)
    const token = line.fake.issueReplyToken('Ucutreply')
    const [replyRow] = await enqueueOutbox(db, { to: 'Ucutreply', replyToken: token, messages: message })
    await api.reply(token, message)
    await cutOff(replyRow!)
    const [pushRow] = await enqueueOutbox(db, { to: 'Ucutpush', messages: message })
    const retryKey = rowsOf<{ retry_key: string }>(await db.execute(sql`SELECT retry_key FROM outbox WHERE id = ${pushRow!}`))[0]!.retry_key
    await api.push('Ucutpush', message, retryKey)
    await cutOff(pushRow!)
    // And one cut off before LINE got it: still delivered, once.
    const unsent = line.fake.issueReplyToken('Ucutearly')
    const [earlyRow] = await enqueueOutbox(db, { to: 'Ucutearly', replyToken: unsent, messages: message })
    await cutOff(earlyRow!)

    const results = await deliverDue(db, api, { ids: [replyRow!, pushRow!, earlyRow!] })
    expect(results.map((r) => r.outcome).sort()).toEqual(['push', 'reply', 'reply'])
    for (const user of ['Ucutreply', 'Ucutpush', 'Ucutearly']) expect(line.fake.deliveriesFor(user)).toHaveLength(1)
    expect(line.fake.deliveriesFor('Ucutearly')[0]!.via).toBe('reply')
  })

  it('a renewed lease keeps an event from a second worker; an unrenewed one lapses to it', async () => {
    const write = createInboxWriter(bot.database.db)
    const parsed = (e: unknown) => webhookBodySchema.parse(JSON.parse(webhookBody([e]))).events[0]!
    const kept = parsed(textEvent({ userId: 'Ukept' }, '選單', 'tok-kept'))
    const lapsed = parsed(textEvent({ userId: 'Ulapsed' }, '選單', 'tok-lapsed'))
    await bot.worker?.stop()
    await write([kept, lapsed])
    expect((await claimEvents(bot.database.db, 'busy-worker', 10, 1)).length).toBe(2)
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 500))
      await renewLease(bot.database.db, kept.webhookEventId, 'busy-worker', 1)
    }
    const taken = await claimEvents(bot.database.db, 'other-worker', 10, 1)
    expect(taken.map((r) => r.webhookEventId)).toEqual([lapsed.webhookEventId])
  })

  it('falls back to push with a retry key when the reply token has expired', async () => {
    const expired = line.fake.issueReplyToken('Uexpired', -1)
    await bot.send([textEvent({ userId: 'Uexpired' }, '選單', expired)])
    const delivery = await waitFor(() => line.fake.deliveriesFor('Uexpired')[0], 'push')
    expect(delivery.via).toBe('push')
    expect(delivery.retryKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(line.fake.requests.filter((r) => r.path.endsWith('/reply'))[0]?.status).toBe(400)
  })

  it('retries a 429 after the Retry-After delay and delivers once', async () => {
    line.fake.failNext({ path: '/v2/bot/message/reply', status: 429, headers: { 'retry-after': '1' }, body: { message: 'The API rate limit has been exceeded. Try again later.' } })
    const started = Date.now()
    await bot.send([textEvent({ userId: 'U429' }, '選單', line.fake.issueReplyToken('U429'))])
    const delivery = await waitFor(() => line.fake.deliveriesFor('U429')[0], 'reply after 429')
    expect(delivery.via).toBe('reply')
    expect(delivery.at - started).toBeGreaterThanOrEqual(900)
    expect(line.fake.requests.filter((r) => r.path.endsWith('/reply')).map((r) => r.status)).toEqual([429, 200])
  })

  it('sends the same retry key when a push is retried after a server error, so it is delivered once', async () => {
    line.fake.failNext({ path: '/v2/bot/message/push', status: 500 })
    await bot.send([textEvent({ userId: 'U500' }, '選單', line.fake.issueReplyToken('U500', -1))])
    await waitFor(() => line.fake.deliveriesFor('U500').length === 1, 'push after 500')
    const pushes = line.fake.requests.filter((r) => r.path.endsWith('/push'))
    expect(pushes.map((r) => r.status)).toEqual([500, 200])
    expect(pushes[0]!.retryKey).toBe(pushes[1]!.retryKey)
  })

  it('keeps an undeliverable reply and delivers it once LINE is back', async () => {
    line.fake.failNext({ status: 503 }, 5)
    await bot.send([textEvent({ userId: 'Udown' }, '選單', line.fake.issueReplyToken('Udown', -1))])
    await waitFor(() => bot.handled.some((h) => h.deliveries.includes('retry-later')), 'first delivery fails')
    expect(line.fake.deliveriesFor('Udown')).toHaveLength(0)
    await waitFor(() => line.fake.deliveriesFor('Udown').length === 1, 'delivered later', 20_000)
  })

  it('answers stickers, images and other message types politely', async () => {
    await bot.send([stickerEvent({ userId: 'Umedia' }, line.fake.issueReplyToken('Umedia'))])
    await waitFor(() => line.fake.deliveriesFor('Umedia').length === 1, 'sticker reply')
    await bot.send([imageEvent({ userId: 'Umedia' }, line.fake.issueReplyToken('Umedia'))])
    await waitFor(() => line.fake.deliveriesFor('Umedia').length === 2, 'image reply')
    const video = { ...imageEvent({ userId: 'Umedia' }, line.fake.issueReplyToken('Umedia')), message: { id: '9', type: 'video', duration: 1000, contentProvider: { type: 'line' } } }
    await bot.send([video])
    await waitFor(() => line.fake.deliveriesFor('Umedia').length === 3, 'video reply')
    const [sticker, image, other] = texts(line, 'Umedia')
    expect(sticker).toContain('貼圖')
    expect(image).toContain('圖片')
    expect(other).toContain('文字')
  })

  it('answers in a group only when mentioned, but stores the group messages', async () => {
    const group = { userId: 'Ugroup', groupId: 'Cgroup1' }
    await bot.send([textEvent(group, '大家午安', line.fake.issueReplyToken('Cgroup1'))])
    await waitFor(() => bot.handled.length === 1, 'chatter handled')
    await bot.send([textEvent(group, '選單', line.fake.issueReplyToken('Cgroup1'), true)])
    await waitFor(() => line.fake.deliveriesFor('Cgroup1').length === 1, 'reply to mention')
    await new Promise((r) => setTimeout(r, 200))
    expect(line.fake.deliveriesFor('Cgroup1')).toHaveLength(1)
    expect(texts(line, 'Cgroup1')[0]).toContain('選擇')
    expect(await count(bot, "messages WHERE direction = 'in'")).toBe(2)
  })

  it('answers text it cannot place and unknown postbacks politely, offering help', async () => {
    await bot.send([textEvent({ userId: 'Uunk' }, 'asdf qwer', line.fake.issueReplyToken('Uunk'))])
    await waitFor(() => line.fake.deliveriesFor('Uunk').length === 1, 'unknown reply')
    await bot.send([postbackEvent({ userId: 'Uunk' }, 'action=something-new', line.fake.issueReplyToken('Uunk'))])
    await waitFor(() => line.fake.deliveriesFor('Uunk').length === 2, 'postback reply')
    const [unknown, notYet] = line.fake.messagesFor('Uunk') as { text: string; quickReply?: unknown }[]
    expect(unknown!.text).toMatch(/抱歉/)
    expect(unknown!.text).toMatch(/顧問/)
    expect(notYet!.text).toContain('準備中')
    expect(unknown!.quickReply).toBeDefined()
  })

  it('deletes everything about a user on 刪除我的資料 after confirmation', async () => {
    const u = { userId: 'Udelete' }
    await bot.send([followEvent(u, line.fake.issueReplyToken('Udelete'))])
    await waitFor(() => line.fake.deliveriesFor('Udelete').length === 1, 'welcome')
    // A question the PMO counts (提問數) before the deletion, and must still count after it.
    await bot.send([textEvent(u, '雲市集點數最多補助多少？我的電話0912345678', line.fake.issueReplyToken('Udelete'))])
    await waitFor(() => line.fake.deliveriesFor('Udelete').length === 2, 'answer')
    const questions = await count(bot, 'answers')
    await bot.send([textEvent(u, '刪除我的資料', line.fake.issueReplyToken('Udelete'))])
    await waitFor(() => line.fake.deliveriesFor('Udelete').length === 3, 'confirmation question')
    expect(texts(line, 'Udelete').at(-1)).toContain('確定要刪除')
    expect(await count(bot, "messages WHERE user_id = 'Udelete'")).toBeGreaterThan(0)
    await bot.send([postbackEvent(u, 'action=delete-data-confirm', line.fake.issueReplyToken('Udelete'))])
    await waitFor(() => line.fake.deliveriesFor('Udelete').length === 4, 'deletion reply')
    expect(await count(bot, 'answers')).toBe(questions)
    expect(texts(line, 'Udelete').at(-1)).toContain('已刪除')
    expect(await count(bot, "users WHERE id = 'Udelete'")).toBe(0)
    expect(await count(bot, "conversations WHERE chat_id = 'Udelete'")).toBe(0)
    expect(await count(bot, "messages WHERE user_id = 'Udelete'")).toBe(0)
    expect(await count(bot, "inbox WHERE payload::text LIKE '%Udelete%'")).toBe(0)
    // Nothing in any table names the user once the confirmation is delivered.
    await waitFor(async () => (await count(bot, "outbox WHERE \"to\" = 'Udelete'")) === 0, 'outbox scrubbed')
    const tables = rowsOf<{ table_name: string }>(await bot.database.db.execute(sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`))
    for (const { table_name } of tables) {
      const hits = await count(bot, `${table_name} t WHERE t::text LIKE '%Udelete%' OR t::text LIKE '%0912345678%'`)
      expect(hits, table_name).toBe(0)
    }
  })

  it('logs one JSON line per handled event, without message text at info level', async () => {
    await bot.send([textEvent({ userId: 'Ulog' }, '我的秘密問題 4321', line.fake.issueReplyToken('Ulog'))])
    await waitFor(() => line.fake.deliveriesFor('Ulog').length === 1, 'reply')
    // The line is written once the reply has been delivered.
    const handled = await waitFor(() => bot.logs.filter((l) => l.msg === 'event handled').length > 0 && bot.logs.filter((l) => l.msg === 'event handled'), 'log line')
    expect(handled).toHaveLength(1)
    expect(handled[0]).toMatchObject({ level: 'info', kind: 'message', outcome: 'ok' })
    expect(typeof handled[0]!.latencyMs).toBe('number')
    expect(handled[0]!.event).toMatch(/^01SIM/)
    const infoText = bot.logs.filter((l) => l.level !== 'debug').map((l) => JSON.stringify(l)).join('\n')
    expect(infoText).not.toContain('4321')
    expect(infoText).not.toContain('test-channel')
  })

  it('shows the loading animation while a slow answer is generated, before the reply, in 1:1 chats only', async () => {
    const openai = await startFakeOpenAI()
    openai.reply({ content: JSON.stringify({ answer: '每家企業最多可獲得20萬點〔S1〕', cited: ['S1'], covered: true }), delayMs: 400 })
    await bot.close()
    bot = await startBot({
      engine,
      lineUrl: line.url,
      loadingAfterMs: 100,
      knowledgeDir: FIXTURES,
      env: { OPENAI_API_KEY: 'test-key', OPENAI_BASE_URL: openai.url },
    })
    await bot.knowledgeReady
    try {
      await bot.send([textEvent({ userId: 'Uslow' }, '雲端點數最多可以拿多少？', line.fake.issueReplyToken('Uslow'))])
      const reply = await waitFor(() => line.fake.deliveriesFor('Uslow')[0], 'reply')
      const loading = line.fake.loading.find((l) => l.chatId === 'Uslow')
      expect(loading).toBeDefined()
      expect(loading!.at).toBeLessThanOrEqual(reply.at)
      await bot.send([textEvent({ userId: 'Uslow', groupId: 'Cslow' }, '雲端點數最多可以拿多少？', line.fake.issueReplyToken('Cslow'), true)])
      await waitFor(() => line.fake.deliveriesFor('Cslow').length === 1, 'group reply')
      expect(line.fake.loading.map((l) => l.chatId)).not.toContain('Cslow')
    } finally {
      await openai.close()
    }
  })

  it('stores the conversation: user, inbound and outbound messages in order', async () => {
    const u = { userId: 'Ustore' }
    await bot.send([followEvent(u, line.fake.issueReplyToken('Ustore'))])
    await waitFor(() => line.fake.deliveriesFor('Ustore').length === 1, 'welcome')
    await bot.send([textEvent(u, '選單', line.fake.issueReplyToken('Ustore'))])
    await waitFor(() => line.fake.deliveriesFor('Ustore').length === 2, 'menu')
    const rows = rowsOf<{ direction: string; kind: string; text: string | null }>(
      await bot.database.db.execute(sql`SELECT m.direction, m.kind, m.text FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.chat_id = 'Ustore' ORDER BY m.id`),
    )
    expect(rows.map((r) => `${r.direction}:${r.kind}`)).toEqual(['in:follow', 'out:text', 'out:text', 'in:text', 'out:text'])
    expect(rows[3]!.text).toBe('選單')
    expect(rows[4]!.text).toContain('選擇')
  })

  it('reports liveness and readiness', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200)
    const ready = await fetch(`${bot.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
  })
})
