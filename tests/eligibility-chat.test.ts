import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { KNOWLEDGE_DIR } from '../src/knowledge/setup.js'
import { postbackEvent, textEvent } from '../src/simulator/events.js'
import { startChatBot, waitFor, type Bot, type ChatSetup, type FakeLineServer } from './helpers/harness.js'

/** Eligibility questions in LINE: the answer chain hands them to the rules engine, cited from the real knowledge base. */
describe('eligibility questions through the answer chain in LINE', () => {
  let line: FakeLineServer
  let bot: Bot
  let setup: ChatSetup | undefined
  beforeAll(async () => {
    setup = await startChatBot(KNOWLEDGE_DIR)
    ;({ line, bot } = setup)
  }, 120_000)
  afterAll(async () => {
    await setup?.close()
  })

  async function send(user: string, event: (token: string) => unknown): Promise<Record<string, unknown>> {
    const before = line.fake.deliveriesFor(user).length
    await bot.send([event(line.fake.issueReplyToken(user))])
    const d = await waitFor(() => line.fake.deliveriesFor(user)[before], 'reply')
    return d.messages.at(-1) as Record<string, unknown>
  }

  it('answers "我們 80 人的食品廠可以申請雲市集點數嗎?" with each rule, the closed window and the knowledge document cited', async () => {
    const reply = (await send('Uel1', (t) => textEvent({ userId: 'Uel1' }, '我們 80 人的食品廠可以申請雲市集點數嗎?', t))) as { type: string; altText: string; quickReply: { items: { action: { label: string; data?: string } }[] } }
    expect(reply.type).toBe('flex')
    expect(reply.altText).toContain('員工80人，未滿200人')
    expect(reply.altText).toContain('需要再確認')
    expect(reply.altText).toContain('已截止')
    expect(reply.altText).toContain('〔1〕雲市集工業館數位點數補助計畫：資格、點數額度、使用方式與受理期間｜雲市集工業館數位點數補助計畫：誰可以申請（比較表版本）（資料日期 2024-05）')
    const rows = rowsOf<{ citations: { documentId: string }[]; covered: boolean }>(await bot.database.db.execute(sql`SELECT citations, covered FROM answers WHERE user_id = 'Uel1'`))
    expect(rows[0]!.covered).toBe(true)
    expect(rows[0]!.citations[0]!.documentId).toBe('cloud-marketplace-digital-points')
    const more = reply.quickReply.items.find((i) => i.action.label === '看更多')!
    const detail = (await send('Uel1', (t) => postbackEvent({ userId: 'Uel1' }, more.action.data!, t))) as { text: string }
    expect(detail.text).toContain('原文：「符合「中小企業認定標準」之中小企業(實收資本額一億元以下，或經常雇用員工數未滿兩百人)」')
  })

  it('answers the figure part of "能申請嗎？最多幾點？" from the knowledge base before the rule-by-rule check', async () => {
    const reply = (await send('Uel4', (t) => textEvent({ userId: 'Uel4' }, '我們是30人的塑膠射出廠，雲市集工業館的點數我們能申請嗎？一家最高補幾點？', t))) as { altText: string }
    expect(reply.altText).toContain('逐項比對')
    expect(reply.altText).toContain('員工30人')
    // The figure leads, cited 〔1〕; the check follows, its source renumbered 〔2〕.
    expect(reply.altText.indexOf('20萬點')).toBeLessThan(reply.altText.indexOf('逐項比對'))
    expect(reply.altText).toMatch(/20萬點[^\n]*〔1〕\n\n依您提到的條件/)
    expect(reply.altText).toContain('需要再確認〔2〕')
    const rows = rowsOf<{ citations: { documentId: string }[] }>(await bot.database.db.execute(sql`SELECT citations FROM answers WHERE user_id = 'Uel4'`))
    expect(rows[0]!.citations.map((c) => c.documentId)).toEqual(['cloud-marketplace-digital-points', 'cloud-marketplace-digital-points'])
  })

  it('reads a follow-up with the previous question: 那 250 人呢', async () => {
    await send('Uel2', (t) => textEvent({ userId: 'Uel2' }, '我們 80 人的食品廠可以申請雲市集點數嗎?', t))
    const follow = (await send('Uel2', (t) => textEvent({ userId: 'Uel2' }, '那250人呢？', t))) as { altText: string }
    expect(follow.altText).toContain('員工250人')
    expect(follow.altText).toContain('還需確認：')
  })

  it('leaves plain programme questions to retrieval', async () => {
    const reply = (await send('Uel3', (t) => textEvent({ userId: 'Uel3' }, '雲市集工業館上面大概有哪些雲端方案可以買？', t))) as { altText?: string; text?: string }
    expect(reply.altText ?? reply.text).not.toContain('逐項比對')
  })
})
