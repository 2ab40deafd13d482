import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { postbackEvent, textEvent } from '../src/simulator/events.js'
import { startBot, startChatBot, startFakeLine, waitFor, type Bot, type ChatSetup, type FakeLineServer } from './helpers/harness.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')

type Msg = { type: string; text?: string; altText?: string; quickReply?: { items: { action: { label: string; data?: string; text?: string } }[] }; contents?: unknown }

describe('asking programme questions in LINE', () => {
  let line: FakeLineServer
  let bot: Bot
  let setup: ChatSetup | undefined
  beforeAll(async () => {
    setup = await startChatBot(FIXTURES)
    ;({ line, bot } = setup)
  })
  afterAll(async () => {
    await setup?.close()
  })

  async function ask(user: string, text: string): Promise<Msg> {
    const before = line.fake.deliveriesFor(user).length
    await bot.send([textEvent({ userId: user }, text, line.fake.issueReplyToken(user))])
    const d = await waitFor(() => line.fake.deliveriesFor(user)[before], `reply to ${text}`)
    return d.messages.at(-1) as Msg
  }
  async function tap(user: string, data: string): Promise<Msg> {
    const before = line.fake.deliveriesFor(user).length
    await bot.send([postbackEvent({ userId: user }, data, line.fake.issueReplyToken(user))])
    const d = await waitFor(() => line.fake.deliveriesFor(user)[before], `reply to ${data}`)
    return d.messages.at(-1) as Msg
  }

  it('answers with a Flex card whose text fallback carries the answer, sources and warnings', async () => {
    const reply = await ask('Uq1', '雲端點數最多可以拿多少？')
    expect(reply.type).toBe('flex')
    expect(reply.altText).toContain('20萬點')
    const json = JSON.stringify(reply.contents)
    expect(json).toContain('資料來源')
    expect(json).toContain('資料日期 2024-05')
    expect(json).toContain('此梯次已截止')
    const labels = reply.quickReply!.items.map((i) => i.action.label)
    expect(labels).toEqual(expect.arrayContaining(['👍 有幫助', '👎 沒幫助', '找真人顧問']))
  })

  it('stores feedback on the answer and offers a consultant after 沒幫助', async () => {
    const reply = await ask('Uq2', '雲端點數最多可以拿多少？')
    const down = reply.quickReply!.items.find((i) => i.action.label === '👎 沒幫助')!
    const after = await tap('Uq2', down.action.data!)
    expect(after.text).toContain('謝謝')
    expect(after.quickReply!.items.map((i) => i.action.label)).toContain('找真人顧問')
    const rows = rowsOf<{ feedback: string; covered: boolean }>(await bot.database.db.execute(sql`SELECT feedback, covered FROM answers WHERE user_id = 'Uq2'`))
    expect(rows).toEqual([{ feedback: 'unhelpful', covered: true }])
  })

  it('does not let another user rate an answer', async () => {
    const reply = await ask('Uq3', '雲端點數最多可以拿多少？')
    const up = reply.quickReply!.items.find((i) => i.action.label === '👍 有幫助')!
    await tap('Uintruder', up.action.data!)
    const rows = rowsOf<{ feedback: string | null }>(await bot.database.db.execute(sql`SELECT feedback FROM answers WHERE user_id = 'Uq3'`))
    expect(rows[0]!.feedback).toBeNull()
  })

  it('stores questions the knowledge base could not answer, for PMO review', async () => {
    const reply = await ask('Uq4', '青年創業貸款最高可以借多少？')
    expect(reply.type).toBe('text')
    expect(reply.text).toMatch(/顧問/)
    const rows = rowsOf<{ question: string; covered: boolean }>(await bot.database.db.execute(sql`SELECT question, covered FROM answers WHERE user_id = 'Uq4'`))
    expect(rows).toEqual([{ question: '青年創業貸款最高可以借多少？', covered: false }])
  })

  it('understands a follow-up question from the recent turn', async () => {
    await ask('Uq5', '技術輔導計畫要準備哪些文件？')
    const follow = await ask('Uq5', '那要多久？')
    expect(follow.altText ?? follow.text).toContain('5個月')
  })

  it('says thanks back, and offers a consultant when the user is unhappy', async () => {
    expect((await ask('Uq6', '謝謝')).text).toContain('不客氣')
    const unhappy = await ask('Uq6', '你的回答根本沒用')
    expect(unhappy.quickReply!.items.map((i) => i.action.label)).toContain('找真人顧問')
  })
})

describe('messages the rules cannot place, with a model configured', () => {
  it('asks the model what the user wants, and routes by its validated answer', async () => {
    const { startFakeOpenAI } = await import('./helpers/fake-openai.js')
    const openai = await startFakeOpenAI()
    openai.reply((prompt) =>
      prompt.includes('意圖分類器')
        ? { content: prompt.includes('想跟人聊') ? '{"intent":"consultant"}' : 'not json' }
        : { content: JSON.stringify({ answer: '資料庫沒有', cited: [], covered: false }) },
    )
    const line = await startFakeLine()
    const bot = await startBot({ engine: 'pglite', lineUrl: line.url, knowledgeDir: FIXTURES, env: { OPENAI_API_KEY: 'k', OPENAI_BASE_URL: openai.url } })
    await bot.knowledgeReady
    try {
      await bot.send([textEvent({ userId: 'Ucls' }, '我想跟人聊聊我們的狀況', line.fake.issueReplyToken('Ucls'))])
      const first = await waitFor(() => line.fake.deliveriesFor('Ucls')[0], 'reply')
      expect((first.messages[0] as { text: string }).text).toContain('真人顧問')
      // An off-format classifier answer changes nothing: the polite decline stands.
      await bot.send([textEvent({ userId: 'Ucls' }, '嗯嗯嗯嗯嗯', line.fake.issueReplyToken('Ucls'))])
      const second = await waitFor(() => line.fake.deliveriesFor('Ucls')[1], 'second reply')
      expect((second.messages[0] as { text: string }).text).toContain('抱歉')
      expect(openai.chatRequests.filter((r) => r.messages[0]!.content.includes('意圖分類器'))).toHaveLength(2)
    } finally {
      await bot.close()
      await line.close()
      await openai.close()
    }
  })
})
