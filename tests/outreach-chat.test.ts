import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { followEvent, postbackEvent, textEvent, unfollowEvent } from '../src/simulator/events.js'
import { startChatBot, waitFor, type ChatSetup } from './helpers/harness.js'

/** Subscriptions with consent and 「我的資料」, through signed webhooks, the real worker and the fake LINE API. */

const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')
type Item = { action: { type: string; label: string; data?: string; displayText?: string } }
type Msg = { text?: string; quickReply?: { items: Item[] } }

let setup: ChatSetup
beforeAll(async () => {
  setup = await startChatBot(FIXTURES)
})
afterAll(async () => {
  await setup?.close()
})

function userChat(user: string) {
  const send = async (event: { webhookEventId: string }, expectReply = true): Promise<Msg[]> => {
    const before = setup.line.fake.deliveriesFor(user).length
    await setup.bot.send([event])
    await waitFor(() => setup.bot.handled.find((h) => h.event === event.webhookEventId), 'handling')
    if (!expectReply) return []
    return (await waitFor(() => setup.line.fake.deliveriesFor(user)[before], 'reply')).messages as Msg[]
  }
  const token = () => setup.line.fake.issueReplyToken(user)
  return {
    say: (t: string) => send(textEvent({ userId: user }, t, token())),
    tap: (data: string) => send(postbackEvent({ userId: user }, data, token())),
    follow: () => send(followEvent({ userId: user }, token())),
    unfollow: () => send(unfollowEvent({ userId: user }), false),
  }
}

const consents = async (user: string) =>
  rowsOf<{ topic: string; consented_at: string | Date }>(await setup.bot.database.db.execute(sql`SELECT topic, consented_at FROM subscriptions WHERE user_id = ${user} ORDER BY topic`))

describe('subscriptions with consent', () => {
  it('lets a user choose topics; each consent is stored with its time and shown in 我的資料', async () => {
    const user = `U${'a1'.repeat(16)}`
    const chat = userChat(user)
    await chat.follow()
    const [choose] = await chat.say('訂閱')
    expect(choose!.text).toContain('同意我們依該主題傳送')
    expect(choose!.quickReply!.items.map((i) => i.action.label)).toEqual(['⬜新計畫開放申請', '⬜截止前提醒', '⬜案例與活動', '全部訂閱', '取消訂閱'])
    const before = Date.now()
    const [done] = await chat.tap('action=subscribe-topic&t=deadlines')
    expect(done!.text).toContain('已訂閱「截止前提醒」')
    expect(done!.quickReply!.items[1]!.action.label).toBe('✅截止前提醒')
    const rows = await consents(user)
    expect(rows.map((r) => r.topic)).toEqual(['deadlines'])
    expect(new Date(rows[0]!.consented_at).getTime()).toBeGreaterThanOrEqual(before - 1000)
    const [mine] = await chat.tap('action=my-data')
    expect(mine!.text).toContain('訂閱通知：截止前提醒（')
    expect(mine!.text).toContain('刪除我的資料')
    // Tapping the topic again withdraws it.
    await chat.tap('action=subscribe-topic&t=deadlines')
    expect(await consents(user)).toEqual([])
  })

  it('取消訂閱 stops everything; unfollowing voids consent, and following again restores nothing until asked', async () => {
    const user = `U${'b2'.repeat(16)}`
    const chat = userChat(user)
    await chat.follow()
    await chat.tap('action=subscribe-all')
    expect((await consents(user)).map((r) => r.topic)).toEqual(['cases', 'deadlines', 'windows'])
    const [stopped] = await chat.say('取消訂閱')
    expect(stopped!.text).toContain('已取消所有通知')
    expect(await consents(user)).toEqual([])

    await chat.tap('action=subscribe-topic&t=windows')
    await chat.unfollow()
    await chat.follow()
    // The old row is still there, but a consent given before the latest follow does not count.
    expect((await consents(user)).map((r) => r.topic)).toEqual(['windows'])
    const [mine] = await chat.say('我的資料')
    expect(mine!.text).toContain('訂閱通知：沒有')
    const [again] = await chat.say('訂閱')
    expect(again!.quickReply!.items[0]!.action.label).toBe('⬜新計畫開放申請')
    await chat.tap('action=subscribe-topic&t=windows')
    const [now] = await chat.say('我的資料')
    expect(now!.text).toContain('訂閱通知：新計畫開放申請（')
  })

  it('刪除我的資料 removes the consents with the user', async () => {
    const user = `U${'c3'.repeat(16)}`
    const chat = userChat(user)
    await chat.follow()
    await chat.tap('action=subscribe-all')
    await chat.tap('action=delete-data-confirm')
    expect(await consents(user)).toEqual([])
  })
})
