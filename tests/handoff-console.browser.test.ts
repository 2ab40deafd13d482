import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { textEvent } from '../src/simulator/events.js'
import { launchBrowser, pageErrors } from './helpers/browser.js'
import { startChatBot, waitFor, type Bot, type ChatSetup, type FakeLineServer } from './helpers/harness.js'

/**
 * The consultant console in a real headless Chromium against the real app and the fake LINE API:
 * a user asks for a person in LINE (signed webhooks), a consultant handles the case in the browser,
 * and the user gets the messages. Consultants use a phone-sized window throughout.
 */

const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')
const ADMIN_TOKEN = 'admin-token-for-the-console-tests'
const PASSWORD = 'correct horse battery'
const PHONE = { width: 390, height: 844 }

const ASSESSMENT_RESULT = {
  version: '1',
  completedAt: new Date().toISOString(),
  overall: { level: 2, average: 2.3, answered: 7, total: 7 },
  functions: [
    { id: 'production', level: 1 },
    { id: 'inventory', level: 2 },
  ],
  weakest: ['production'],
  tools: [],
  facts: {},
  profile: { industry: '製造業' },
  programmes: [{ programme: 'p1', track: 't1', name: '雲市集｜數位工具', verdict: 'eligible', window: 'open', lines: [], document: 'd' }],
}

type Msg = { type: string; text?: string; altText?: string; quickReply?: { items: { action: { label: string; data?: string } }[] } }

describe('the consultant console', () => {
  let setup: ChatSetup
  let bot: Bot
  let line: FakeLineServer
  let browser: Browser
  let base: string
  const contexts: BrowserContext[] = []
  /** Uncaught errors and console errors of every page (a refused request's 401/403 is expected). */
  const errorLists: string[][] = []
  const unexpectedErrors = () => errorLists.flat().filter((e) => !/status of 40[13]/.test(e))
  /** Signed-in pages by username. */
  const pages: Record<string, Page> = {}
  const staffIds: Record<string, string> = {}

  async function newPage(viewport = PHONE): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'zh-TW' })
    contexts.push(context)
    const page = await context.newPage()
    page.setDefaultTimeout(10_000)
    errorLists.push(pageErrors(page))
    return page
  }

  async function login(page: Page, username: string): Promise<void> {
    await page.goto(`${base}/console/login`)
    await page.fill('#username', username)
    await page.fill('#password', PASSWORD)
    await Promise.all([page.waitForURL(/\/console\/cases/), page.click('button[type=submit]')])
  }

  beforeAll(async () => {
    setup = await startChatBot(FIXTURES, { ADMIN_TOKEN })
    ;({ bot, line } = setup)
    base = bot.url
    browser = await launchBrowser()

    // The first PMO account, with ADMIN_TOKEN, then two consultants created by the PMO in the browser.
    const pmo = await newPage({ width: 1200, height: 900 })
    await pmo.goto(`${base}/console/setup`)
    await pmo.fill('#adminToken', ADMIN_TOKEN)
    await pmo.fill('#username', 'pat')
    await pmo.fill('#displayName', '林組長')
    await pmo.fill('#password', PASSWORD)
    await Promise.all([pmo.waitForURL(/\/console\/staff/), pmo.click('button[type=submit]')])
    for (const [username, name] of [['amy', '王小美'], ['bob', '陳大明']]) {
      await pmo.fill('#username', username!)
      await pmo.fill('#displayName', name!)
      await pmo.selectOption('#role', 'consultant')
      await pmo.fill('#password', PASSWORD)
      await Promise.all([pmo.waitForURL(/ok=/), pmo.getByRole('button', { name: '建立帳號' }).click()])
      await pmo.locator(`tr[data-username="${username}"]`).waitFor()
    }
    pages.pat = pmo
    for (const username of ['amy', 'bob']) {
      pages[username] = await newPage()
      await login(pages[username], username)
    }
    for (const r of rowsOf<{ id: string; username: string }>(await bot.database.db.execute(sql`SELECT id, username FROM staff`))) staffIds[r.username] = r.id
  })
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await browser?.close()
    await setup?.close()
  })

  const db = () => bot.database.db

  /** Sends a text as the user (a signed webhook with a fresh reply token) and waits until the bot handled it. */
  async function say(userId: string, text: string): Promise<void> {
    const before = bot.handled.length
    const res = await bot.send([textEvent({ userId }, text, line.fake.issueReplyToken(userId))])
    expect(res.status).toBe(200)
    await waitFor(() => bot.handled.length > before, `the bot handling 「${text}」`)
  }

  const textsTo = (userId: string) => line.fake.messagesFor(userId).map((m) => (m as Msg).text ?? (m as Msg).altText ?? '')

  /**
   * The user asks for a consultant and answers the intake questions, whatever they are, until the
   * case is open. Returns the case id and who it was assigned to (by the settings' rules).
   */
  async function openCaseFor(userId: string, company = '好食在食品行'): Promise<{ caseId: number; assignee: string | null }> {
    await say(userId, '找真人顧問')
    const answers: Record<string, string> = { company, contactTime: '平日下午', question: '想申請雲市集，不知道從哪裡開始' }
    for (let i = 0; i < 5; i++) {
      const row = rowsOf<{ id: number; status: string; assignee_id: string | null }>(
        await db().execute(sql`SELECT c.id, c.status, c.assignee_id FROM cases c WHERE c.user_id = ${userId} AND c.status IN ('intake', 'open')`),
      )[0]
      expect(row, 'the case the user asked for').toBeDefined()
      if (row!.status === 'open') {
        const assignee = Object.entries(staffIds).find(([, id]) => id === row!.assignee_id)?.[0] ?? null
        return { caseId: Number(row!.id), assignee }
      }
      const state = rowsOf<{ state: { handoff?: { asking?: string } } }>(await db().execute(sql`SELECT state FROM conversations WHERE chat_id = ${userId}`))[0]!.state
      await say(userId, answers[state.handoff?.asking ?? 'question']!)
    }
    throw new Error('the intake did not finish')
  }

  /** A signed-in page of the consultant the case belongs to (taking it when unassigned), and of one it does not. */
  function ownerAndOther(assignee: string | null): { owner: Page; ownerName: string; other: Page } {
    const ownerName = assignee === 'bob' ? 'bob' : 'amy'
    return { owner: pages[ownerName]!, ownerName, other: pages[ownerName === 'amy' ? 'bob' : 'amy']! }
  }

  const thread = (page: Page) => page.locator('#thread')

  async function reply(page: Page, text: string): Promise<void> {
    await page.fill('#body', text)
    await Promise.all([page.waitForURL(/ok=|err=/), page.getByRole('button', { name: '傳送' }).click()])
  }

  it('runs the whole loop: request → inbox → reply → user answers → resolve → the bot answers again', async () => {
    line.fake.quotaLimit = 200
    const user = 'Uconsole0000000000000000000000001'
    const { caseId, assignee } = await openCaseFor(user)
    const { owner, ownerName } = ownerAndOther(assignee)

    // The case is in the inbox: the owner's 我的 tab, or 未指派 for anyone to take.
    await owner.goto(`${base}/console/cases?tab=${assignee ? 'mine' : 'unassigned'}`)
    const row = owner.locator(`tr[data-case="${caseId}"]`)
    await expect(row.innerText()).resolves.toContain('好食在食品行')
    await expect(row.innerText()).resolves.toMatch(/等待 \d+ 分鐘/)
    await Promise.all([owner.waitForURL(new RegExp(`/console/cases/${caseId}$`)), row.getByRole('link', { name: `#${caseId}` }).click()])

    // Context on top: the intake, the summary, the quota; the transcript below.
    const profile = await owner.locator('.facts').innerText()
    expect(profile).toContain('好食在食品行')
    expect(profile).toContain('平日下午')
    expect(await owner.locator('.summary').innerText()).toContain('好食在食品行')
    const pushedSoFar = line.fake.quotaUsed
    expect(await owner.locator('.quota').innerText()).toContain(`本月剩餘推播額度：${200 - pushedSoFar}／200`)
    expect(await thread(owner).innerText()).toContain('找真人顧問')

    // A canned reply fills the box; the consultant edits and sends it. No fresh token is kept (the bot
    // replied to the user's last message), so it goes by push.
    const canned = await owner.locator('#canned option').nth(1).getAttribute('value')
    await owner.selectOption('#canned', { index: 1 })
    expect(await owner.inputValue('#body')).toBe(canned)
    await reply(owner, '您好，我是顧問，先了解一下：貴公司有幾位員工？')
    const first = await waitFor(() => line.fake.deliveriesFor(user).find((d) => JSON.stringify(d.messages).includes('貴公司有幾位員工')), 'the first reply in LINE')
    expect(first.via).toBe('push')
    expect(first.retryKey).toMatch(/^[0-9a-f-]{36}$/)
    await thread(owner).locator('.msg.staff', { hasText: '貴公司有幾位員工' }).locator('.delivery', { hasText: '已送達（推播）' }).waitFor()
    expect(await thread(owner).locator('.msg.staff').last().innerText()).toContain(`顧問 ${ownerName === 'amy' ? '王小美' : '陳大明'}`)

    // The user answers in LINE: the bot stays silent, and the message shows up in the open page by polling.
    const repliesBefore = line.fake.deliveriesFor(user).length
    await say(user, '我們大概 30 個人')
    await thread(owner).locator('.msg.in', { hasText: '我們大概 30 個人' }).waitFor()
    expect(line.fake.deliveriesFor(user).length).toBe(repliesBefore)

    // Answering right away uses the user's fresh reply token (free of quota).
    await reply(owner, '了解，30 人的公司可以申請雲市集，我把步驟整理給您。')
    const second = await waitFor(() => line.fake.deliveriesFor(user).find((d) => JSON.stringify(d.messages).includes('步驟整理給您')), 'the second reply in LINE')
    expect(second.via).toBe('reply')
    await thread(owner).locator('.msg.staff', { hasText: '步驟整理給您' }).locator('.delivery', { hasText: '已送達（回覆）' }).waitFor()

    // An internal note stays in the console.
    await owner.fill('#note', '客戶偏好電話聯絡')
    await Promise.all([owner.waitForURL(/ok=/), owner.getByRole('button', { name: '儲存備註' }).click()])
    expect(await owner.locator('.notes').innerText()).toContain('客戶偏好電話聯絡')
    expect(textsTo(user).join('\n')).not.toContain('客戶偏好電話聯絡')

    // Resolve: the user is told, gets the satisfaction question, and the bot answers again.
    await Promise.all([owner.waitForURL(/ok=/), owner.getByRole('button', { name: '結案' }).click()])
    expect(await owner.locator('.case-status').innerText()).toBe('已結案')
    const closing = await waitFor(() => line.fake.messagesFor(user).find((m) => ((m as Msg).text ?? '').includes(`顧問已結束這次的真人服務（案件編號 #${caseId}）`)) as Msg | undefined, 'the closing message')
    expect(closing.quickReply!.items.map((i) => i.action.label)).toContain('😀 很滿意')
    const before = line.fake.deliveriesFor(user).length
    await say(user, '雲端點數最多可以拿多少？')
    const answer = await waitFor(() => line.fake.deliveriesFor(user)[before], 'the bot answering again')
    expect(JSON.stringify(answer.messages)).toContain('20萬點')

    const actions = rowsOf<{ action: string }>(await db().execute(sql`SELECT action FROM audit_log WHERE target = ${`case:${caseId}`} ORDER BY id`)).map((a) => a.action)
    expect(actions).toEqual(expect.arrayContaining(['case.reply', 'case.note', 'case.resolve']))
  })

  it("keeps other consultants' cases, anonymous visitors and forged forms out", async () => {
    const user = 'Uconsole0000000000000000000000002'
    const { caseId, assignee } = await openCaseFor(user, '長青五金行')
    const { owner, other } = ownerAndOther(assignee)
    if (!assignee) await reply(owner, '您好，這個案件由我負責。') // replying takes an unassigned case

    // Another consultant: 403 on the page, its thread and its actions; not in their inbox.
    expect((await other.goto(`${base}/console/cases/${caseId}`))!.status()).toBe(403)
    expect((await other.request.post(`${base}/console/cases/${caseId}/reply`, { form: { _csrf: await csrfOf(other), body: '插話' } })).status()).toBe(403)
    await other.goto(`${base}/console/cases?tab=unassigned`)
    expect(await other.locator(`tr[data-case="${caseId}"]`).count()).toBe(0)
    expect((await other.goto(`${base}/console/cases?tab=all`))!.status()).toBe(403)
    // PMO staff see it.
    expect((await pages.pat!.goto(`${base}/console/cases/${caseId}`))!.status()).toBe(200)

    // No session: pages go to the login, API calls get 401.
    const anonymous = await newPage()
    await anonymous.goto(`${base}/console/cases/${caseId}`)
    expect(anonymous.url()).toContain('/console/login')
    expect((await anonymous.request.get(`${base}/console/cases/${caseId}/thread`, { headers: { accept: 'application/json' } })).status()).toBe(401)
    expect((await anonymous.request.post(`${base}/console/cases/${caseId}/reply`, { form: { body: '匿名' } })).status()).toBe(401)

    // Forged or missing CSRF token: 403 and nothing is queued or sent.
    const outboxBefore = await outboxCount(user)
    const deliveriesBefore = line.fake.deliveriesFor(user).length
    expect((await owner.request.post(`${base}/console/cases/${caseId}/reply`, { form: { _csrf: 'forged-token', body: '偽造' } })).status()).toBe(403)
    expect((await owner.request.post(`${base}/console/cases/${caseId}/reply`, { form: { body: '沒有權杖' } })).status()).toBe(403)
    expect((await owner.request.post(`${base}/console/cases/${caseId}/resolve`, { form: {} })).status()).toBe(403)
    expect(await outboxCount(user)).toBe(outboxBefore)
    expect(line.fake.deliveriesFor(user).length).toBe(deliveriesBefore)
    expect(rowsOf(await db().execute(sql`SELECT status FROM cases WHERE id = ${caseId}`))).toEqual([{ status: 'open' }])

    // Reassigned by the PMO, the case changes hands: the new consultant may open it, the old one no longer.
    const pmo = pages.pat!
    await pmo.goto(`${base}/console/cases/${caseId}`)
    await pmo.selectOption('#assignee', { label: other === pages.amy ? '王小美' : '陳大明' })
    await Promise.all([pmo.waitForURL(/ok=/), pmo.getByRole('button', { name: '指派' }).click()])
    expect((await other.goto(`${base}/console/cases/${caseId}`))!.status()).toBe(200)
    expect((await owner.goto(`${base}/console/cases/${caseId}`))!.status()).toBe(403)
    const audit = rowsOf<{ action: string }>(await db().execute(sql`SELECT action FROM audit_log WHERE target = ${`case:${caseId}`} ORDER BY id`))
    expect(audit.map((a) => a.action)).toContain('case.assign')
  })

  it('flags cases past their response target, oldest waiting first', async () => {
    const late = await openCaseFor('Uconsole0000000000000000000000007', '逾時商行')
    const fresh = await openCaseFor('Uconsole0000000000000000000000008', '準時商行')
    // Time passes: the first case is two hours old and past its target with no reply.
    await db().execute(sql`UPDATE cases SET opened_at = now() - interval '2 hours', due_at = now() - interval '1 minute' WHERE id = ${late.caseId}`)
    const pmo = pages.pat!
    await pmo.goto(`${base}/console/cases?tab=all`)
    const rows = await pmo.locator('tr[data-case]').evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-case'))))
    expect(rows.indexOf(late.caseId)).toBeLessThan(rows.indexOf(fresh.caseId))
    const lateRow = await pmo.locator(`tr[data-case="${late.caseId}"]`).innerText()
    expect(lateRow).toContain('逾時未回覆')
    expect(lateRow).toMatch(/等待 2 小時/)
    expect(await pmo.locator(`tr[data-case="${fresh.caseId}"]`).innerText()).not.toContain('逾時未回覆')
  })

  it('shows a failed push with 重試, and the retry delivers it once with the same retry key', async () => {
    const user = 'Uconsole0000000000000000000000003'
    const { caseId, assignee } = await openCaseFor(user, '大川餐飲')
    const { owner } = ownerAndOther(assignee)
    await owner.goto(`${base}/console/cases/${caseId}`)

    line.fake.failNext({ path: '/v2/bot/message/push', status: 400, body: { message: 'The request body has 1 error(s)' } })
    await reply(owner, '這則第一次會送不出去')
    const failed = thread(owner).locator('.msg.staff', { hasText: '這則第一次會送不出去' })
    await failed.locator('.delivery', { hasText: '失敗' }).waitFor()
    expect(await failed.locator('.delivery-error').innerText()).toContain('LINE API 400')
    expect(line.fake.messagesFor(user).some((m) => (m as Msg).text === '這則第一次會送不出去')).toBe(false)
    const failedRequest = line.fake.requests.filter((r) => r.path === '/v2/bot/message/push' && r.status === 400).at(-1)!

    await Promise.all([owner.waitForURL(/ok=/), failed.getByRole('button', { name: '重試' }).click()])
    await thread(owner).locator('.msg.staff', { hasText: '這則第一次會送不出去' }).locator('.delivery', { hasText: '已送達（推播）' }).waitFor()
    const delivered = line.fake.deliveriesFor(user).filter((d) => JSON.stringify(d.messages).includes('這則第一次會送不出去'))
    expect(delivered).toHaveLength(1)
    expect(delivered[0]!.retryKey).toBe(failedRequest.retryKey)
    // Retrying again is refused: the message is already out.
    expect((await owner.request.post(`${base}/console/cases/${caseId}/messages/${await lastOutboxId(user)}/retry`, { form: { _csrf: await csrfOf(owner) }, maxRedirects: 0 })).status()).toBe(303)
    expect(line.fake.deliveriesFor(user).filter((d) => JSON.stringify(d.messages).includes('這則第一次會送不出去'))).toHaveLength(1)
  })

  it('delivers two replies sent at the same moment, both, in the order of the thread', async () => {
    const user = 'Uconsole0000000000000000000000004'
    const { caseId, assignee } = await openCaseFor(user, '雙人商行')
    const { owner, ownerName } = ownerAndOther(assignee)
    if (!assignee) await reply(owner, '您好，這個案件由我負責。')
    // The owner in two windows and the PMO in a third, all pressing 傳送 together.
    const second = await newPage()
    await login(second, ownerName)
    const senders = [owner, second, pages.pat!]
    for (const [i, page] of senders.entries()) {
      await page.goto(`${base}/console/cases/${caseId}`)
      await page.fill('#body', `同時送出的第 ${i + 1} 則`)
    }
    await Promise.all(senders.map((page) => Promise.all([page.waitForURL(/ok=/), page.getByRole('button', { name: '傳送' }).click()])))

    const sent = await waitFor(() => {
      const got = line.fake.messagesFor(user).map((m) => (m as Msg).text ?? '').filter((t) => t.startsWith('同時送出的'))
      return got.length === 3 && got
    }, 'all three replies in LINE')
    expect(new Set(sent).size).toBe(3)
    // The thread's order is the delivery order.
    await owner.reload()
    const shown = (await thread(owner).locator('.msg.staff .text').allInnerTexts()).filter((t) => t.startsWith('同時送出的'))
    expect(shown).toEqual(sent)
  })

  it('shows a duplicated webhook once, and fits a phone screen', async () => {
    const user = 'Uconsole0000000000000000000000005'
    const { caseId, assignee } = await openCaseFor(user, '重複測試有限公司')
    const { owner } = ownerAndOther(assignee)
    const event = textEvent({ userId: user }, '這則訊息 LINE 重送了一次', line.fake.issueReplyToken(user))
    await bot.send([event])
    await bot.send([event]) // LINE's webhook redelivery: same webhookEventId
    await say(user, 'https://example.com/a-very-long-unbroken-address-that-could-push-the-page-sideways-on-a-phone-screen')
    // The user's completed assessment, as the bot stores it, is shown above the thread.
    await db().execute(sql`
      INSERT INTO assessments (id, user_id, version, status, result, overall_level, started_at, updated_at, completed_at)
      VALUES (${crypto.randomUUID()}, ${user}, '1', 'completed', ${JSON.stringify(ASSESSMENT_RESULT)}::jsonb, 2, now(), now(), now())`)
    await owner.goto(`${base}/console/cases/${caseId}`)
    await thread(owner).locator('.msg.in', { hasText: 'a-very-long-unbroken' }).waitFor()
    const assessment = await owner.locator('.assessment').innerText()
    expect(assessment).toContain('整體：第 2 級（基本文書軟體）')
    expect(assessment).toContain('生產與營運：第 1 級')
    expect(assessment).toContain('雲市集｜數位工具')
    expect(await thread(owner).locator('.msg.in', { hasText: '這則訊息 LINE 重送了一次' }).count()).toBe(1)

    expect(owner.viewportSize()).toEqual(PHONE)
    const overflow = await owner.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }))
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.inner)
    await owner.goto(`${base}/console/cases?tab=mine`)
    const inbox = await owner.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }))
    expect(inbox.scroll).toBeLessThanOrEqual(inbox.inner)
  })

  it('follows the chat live: the user ending the case shows on the open page', async () => {
    const user = 'Uconsole0000000000000000000000009'
    const { caseId, assignee } = await openCaseFor(user, '自行結束商行')
    const { owner } = ownerAndOther(assignee)
    await owner.goto(`${base}/console/cases/${caseId}`)
    expect(await owner.locator('.case-status').innerText()).toBe('處理中')
    await say(user, '結束真人服務')
    await thread(owner).locator('.msg.in', { hasText: '結束真人服務' }).waitFor()
    await owner.locator('.case-status', { hasText: '已結案' }).waitFor()
    // Resolving again from the stale page is refused with a message, and sends nothing more.
    const before = line.fake.deliveriesFor(user).length
    await Promise.all([owner.waitForURL(/err=/), owner.getByRole('button', { name: '結案' }).click()])
    expect(await owner.locator('p.error').innerText()).toContain('案件已經結案了')
    expect(line.fake.deliveriesFor(user).length).toBe(before)
  })

  it('says so when the message quota cannot be read', async () => {
    const user = 'Uconsole0000000000000000000000006'
    const { caseId, assignee } = await openCaseFor(user, '額度測試行')
    const { owner } = ownerAndOther(assignee)
    line.fake.failNext({ path: '/v2/bot/message/quota', status: 500 })
    await owner.goto(`${base}/console/cases/${caseId}`)
    expect(await owner.locator('.quota').innerText()).toContain('無法取得')
    expect(unexpectedErrors()).toEqual([])
  })

  async function csrfOf(page: Page): Promise<string> {
    await page.goto(`${base}/console/cases`)
    return (await page.locator('input[name=_csrf]').first().getAttribute('value'))!
  }
  async function outboxCount(userId: string): Promise<number> {
    return Number(rowsOf<{ n: string }>(await db().execute(sql`SELECT count(*) AS n FROM outbox WHERE "to" = ${userId}`))[0]!.n)
  }
  async function lastOutboxId(userId: string): Promise<number> {
    return Number(rowsOf<{ id: string }>(await db().execute(sql`SELECT max(id) AS id FROM outbox WHERE "to" = ${userId}`))[0]!.id)
  }
})
