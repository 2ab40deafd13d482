import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { Document, HeadingLevel, Packer, Paragraph } from 'docx'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { postbackEvent, textEvent } from '../src/simulator/events.js'
import { launchBrowser, pageErrors } from './helpers/browser.js'
import { startChatBot, waitFor, type ChatSetup } from './helpers/harness.js'
import { loadConfig } from '../src/config.js'
import { silentLogger } from '../src/log.js'
import { startServer, type RunningServer } from '../src/server.js'

const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')
const ADMIN_TOKEN = 'pmo-browser-admin-token-0123456789'
const QUESTION = '晨光鎮智慧零售補助的補助上限是多少？'

type Msg = { type: string; text?: string; altText?: string; contents?: unknown }

/**
 * The PMO console in a real headless Chromium against the real app (PGlite, fake LINE API on a
 * socket): a PMO person uploads a Word file, publishes it, and the bot answers from it through a
 * signed webhook; edits, retirement and restoring an old version reach the bot without a restart.
 */
/**
 * Puts a whole data file into the editor at once: typing 145 KB through page.fill took 6–9 s per
 * edit in Chromium, which is not what these tests are about (the form has no script of its own).
 */
async function setContent(page: Page, value: string): Promise<void> {
  await page.locator('#content').evaluate((el, v) => {
    ;(el as HTMLTextAreaElement).value = v
    el.dispatchEvent(new Event('input', { bubbles: true }))
  }, value)
}

describe('PMO console in a browser', () => {
  let setup: ChatSetup
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let errors: string[]
  let dir: string
  let userN = 0

  beforeAll(async () => {
    setup = await startChatBot(FIXTURES, { ADMIN_TOKEN })
    browser = await launchBrowser()
    context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: 'zh-TW' })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
    errors = pageErrors(page)
    page.on('dialog', (d) => void d.accept())
    dir = await mkdtemp(join(tmpdir(), 'pmo-browser-'))
  })
  afterAll(async () => {
    await browser?.close()
    await setup?.close()
  })

  const url = (path: string) => `${setup.bot.url}${path}`

  /** Asks the bot through a signed webhook as a fresh user; returns the reply's text (Flex alt text and contents included). */
  async function ask(text: string): Promise<string> {
    const { line, bot } = setup
    const user = `Upmo${++userN}`
    await bot.send([textEvent({ userId: user }, text, line.fake.issueReplyToken(user))])
    const d = await waitFor(() => line.fake.deliveriesFor(user)[0], `reply to ${text}`)
    return (d.messages as Msg[]).map((m) => `${m.text ?? ''}${m.altText ?? ''}${JSON.stringify(m.contents ?? '')}`).join('\n')
  }

  const versions = async (id: string) =>
    rowsOf<{ version: number; state: string; action: string }>(
      await setup.bot.database.db.execute(sql`SELECT version, state, action FROM kb_document_versions WHERE document_id = ${id} ORDER BY version`),
    )

  it('sends a visitor without a session to the login page', async () => {
    await page.goto(url('/console/kb'))
    expect(new URL(page.url()).pathname).toBe('/console/login')
  })

  it('creates the first PMO account with ADMIN_TOKEN and a consultant account', async () => {
    await page.goto(url('/console/setup'))
    await page.fill('#adminToken', ADMIN_TOKEN)
    await page.fill('#username', 'pmo-amy')
    await page.fill('#displayName', '王小美')
    await page.fill('#password', 'pmo-password-123')
    await page.click('button[type=submit]')
    await page.waitForURL(/\/console\/staff/)
    await page.fill('#username', 'consultant-bob')
    await page.fill('#displayName', '陳顧問')
    await page.selectOption('#role', 'consultant')
    await page.fill('#password', 'consultant-pass-123')
    await page.click('text=建立帳號')
    await page.getByText('已建立帳號 consultant-bob').waitFor()
  })

  it('uploads a Word file as a draft, publishes it, and the bot answers from it with a citation', async () => {
    const before = await ask(QUESTION)
    expect(before).not.toContain('38萬元')

    const docx = await Packer.toBuffer(
      new Document({
        sections: [
          {
            children: [
              new Paragraph({ text: '晨光鎮智慧零售補助', heading: HeadingLevel.HEADING_1 }),
              new Paragraph({ text: '補助額度', heading: HeadingLevel.HEADING_2 }),
              new Paragraph('晨光鎮智慧零售補助的補助上限為新臺幣38萬元，企業須自行負擔三成經費。'),
              new Paragraph({ text: '申請資格', heading: HeadingLevel.HEADING_2 }),
              new Paragraph('晨光鎮智慧零售補助限設籍於晨光鎮、員工未滿50人的零售業者申請。'),
            ],
          },
        ],
      }),
    )
    const file = join(dir, 'smart-retail-grant.docx')
    await writeFile(file, docx)
    await page.goto(url('/console/kb'))
    await page.getByTestId('upload-file').setInputFiles(file)
    await page.getByTestId('upload-submit').click()
    await page.waitForURL(/\/console\/kb\/doc\/smart-retail-grant\/edit/)
    await expect(page.inputValue('#title')).resolves.toBe('晨光鎮智慧零售補助')
    await expect(page.inputValue('#body')).resolves.toContain('## 補助額度')
    expect(await versions('smart-retail-grant')).toEqual([{ version: 1, state: 'draft', action: 'upload' }])
    // A draft is not live yet.
    expect(await ask(QUESTION)).not.toContain('38萬元')

    await page.fill('#programme', 'dawn-retail')
    await page.fill('#source_date', '2026-03')
    await page.getByTestId('preview').click()
    await expect(page.getByTestId('chunks').locator('.chunk').count()).resolves.toBeGreaterThanOrEqual(2)
    await page.getByTestId('publish').click()
    await page.getByText('已發布第 2 版').waitFor()
    await expect(page.getByTestId('doc-live').innerText()).resolves.toContain('線上版本')

    const answer = await ask(QUESTION)
    expect(answer).toContain('38萬元')
    expect(answer).toContain('晨光鎮智慧零售補助')
  })

  it('uploads a Markdown file with front-matter, publishes the draft from the document page', async () => {
    const file = join(dir, 'dawn-parking.md')
    await writeFile(
      file,
      '---\nid: dawn-parking-grant\ntitle: 晨光鎮商店停車位補貼\nkind: programme\nsource: 晨光鎮公所公告（測試）\nsource_date: 2026-02\nstatus: planned\ntags: [停車, 商店]\n---\n\n## 補貼金額\n\n晨光鎮商店停車位補貼每個停車位每月補貼新臺幣1,200元。\n',
    )
    await page.goto(url('/console/kb'))
    await page.getByTestId('upload-file').setInputFiles(file)
    await page.getByTestId('upload-submit').click()
    await page.waitForURL(/\/console\/kb\/doc\/dawn-parking-grant\/edit/)
    await expect(page.inputValue('#status')).resolves.toBe('planned')
    await expect(page.inputValue('#tags')).resolves.toBe('停車, 商店')
    await page.goto(url('/console/kb/doc/dawn-parking-grant'))
    await page.getByTestId('publish-draft').click()
    await page.getByText('已發布第 2 版').waitFor()
    const answer = await ask('晨光鎮商店停車位補貼每個停車位每月補貼多少錢？')
    expect(answer).toContain('1,200元')
    expect(answer).toContain('晨光鎮商店停車位補貼')
  })

  it('shows validation errors next to the field and saves nothing', async () => {
    await page.goto(url('/console/kb/doc/smart-retail-grant/edit'))
    await page.fill('#title', '晨')
    await page.fill('#source_date', '2026/03')
    await page.getByTestId('publish').click()
    await expect(page.getByTestId('error-title').innerText()).resolves.toContain('至少 2 個字')
    await expect(page.getByTestId('error-source_date').innerText()).resolves.toContain('YYYY')
    expect((await versions('smart-retail-grant')).length).toBe(2)
  })

  it('edit → the answer changes; retire → no longer cited; restore → cited again', async () => {
    await page.goto(url('/console/kb/doc/smart-retail-grant/edit'))
    const body = await page.inputValue('#body')
    await page.fill('#body', body.replace('38萬元', '52萬元'))
    await page.getByTestId('publish').click()
    await page.getByText('已發布第 3 版').waitFor()
    const edited = await ask(QUESTION)
    expect(edited).toContain('52萬元')
    expect(edited).not.toContain('38萬元')

    await page.getByTestId('retire').click()
    await page.getByText('已下架').first().waitFor()
    const retired = await ask(QUESTION)
    expect(retired).not.toContain('52萬元')
    expect(retired).not.toContain('晨光鎮智慧零售補助〕')
    expect(retired).not.toMatch(/晨光鎮智慧零售補助.*資料日期/)

    await page.getByTestId('restore-2').click()
    await page.getByText('已將第 2 版還原為第 5 版並發布').waitFor()
    const restored = await ask(QUESTION)
    expect(restored).toContain('38萬元')
    expect(restored).toContain('晨光鎮智慧零售補助')
    expect((await versions('smart-retail-grant')).map((v) => `${v.version}:${v.action}:${v.state}`)).toEqual([
      '1:upload:draft',
      '2:publish:published',
      '3:publish:published',
      '4:retire:retired',
      '5:restore:published',
    ])
    const audits = rowsOf<{ action: string }>(await setup.bot.database.db.execute(sql`SELECT action FROM audit_log WHERE target = 'doc:smart-retail-grant' ORDER BY id`))
    expect(audits.map((a) => a.action)).toEqual(['kb.upload', 'kb.publish', 'kb.publish', 'kb.retire', 'kb.restore'])
  })

  it('the first edit of a file document imports it as version 1', async () => {
    await page.goto(url('/console/kb/doc/fixture-cloud-points/edit'))
    const body = await page.inputValue('#body')
    await page.fill('#body', body.replace('20萬點', '25萬點'))
    await page.getByTestId('publish').click()
    await page.getByText('已發布第 2 版').waitFor()
    expect((await versions('fixture-cloud-points')).map((v) => v.action)).toEqual(['import', 'publish'])
    expect(await ask('雲端點數最多可以拿多少？')).toContain('25萬點')
  })

  it('lists documents with status and search, and the try-it box shows answer, chunks and citations', async () => {
    await page.goto(url('/console/kb?q=智慧零售'))
    const rows = page.getByTestId('doc-list').locator('tbody tr')
    await expect(rows.count()).resolves.toBe(1)
    await expect(rows.first().getByTestId('doc-state').innerText()).resolves.toBe('已發布')
    await page.goto(url('/console/kb'))
    await page.getByRole('link', { name: '規劃中', exact: true }).click()
    await page.waitForURL(/filter=planned/)
    await expect(page.getByTestId('doc-list').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-doc-id')))).resolves.toEqual(['dawn-parking-grant'])

    await page.goto(url('/console/kb/try'))
    await page.getByTestId('try-q').fill(QUESTION)
    await page.getByTestId('try-ask').click()
    await expect(page.getByTestId('try-answer').innerText()).resolves.toContain('38萬元')
    await expect(page.getByTestId('try-cited').locator('[data-doc-id=smart-retail-grant]').count()).resolves.toBe(1)
    await expect(page.getByTestId('try-hits').locator('tbody tr').count()).resolves.toBeGreaterThan(1)
  })

  it('builds a campaign audience, sees its count and cost against the quota, sends a test, sends, and watches it go out', async () => {
    const db = setup.bot.database.db
    const users = Array.from({ length: 700 }, (_, i) => `Ucamp${String(i).padStart(28, '0')}`)
    for (let i = 0; i < users.length; i += 350) {
      const part = users.slice(i, i + 350)
      await db.execute(sql`INSERT INTO users (id, status, followed_at) VALUES ${sql.join(part.map((u) => sql`(${u}, 'active', now() - interval '1 day')`), sql`, `)}`)
      await db.execute(sql`INSERT INTO subscriptions (user_id, topic) VALUES ${sql.join(part.map((u) => sql`(${u}, 'windows')`), sql`, `)}`)
      await db.execute(sql`INSERT INTO conversations (chat_type, chat_id, user_id, state) VALUES ${sql.join(part.map((u) => sql`('user', ${u}, ${u}, '{"firm":{"region":"新竹市"}}'::jsonb)`), sql`, `)}`)
    }
    const fake = setup.line.fake
    fake.quotaLimit = fake.quotaUsed + 5000
    await page.goto(url('/console/campaigns'))
    await page.getByTestId('new-campaign').click()
    await page.locator('#title').fill('新竹開放通知')
    await page.locator('#text').fill('晨光鎮智慧零售補助開放申請了，輸入「問問題」了解資格。')
    await page.locator('#regions').fill('新竹市')
    await page.getByTestId('campaign-preview').click()
    await expect(page.getByTestId('audience-count').innerText()).resolves.toBe('700')
    await expect(page.getByTestId('campaign-cost').innerText()).resolves.toBe('700')
    await expect(page.getByTestId('quota-remaining').innerText()).resolves.toBe('5000')
    // A test to a staff member's own LINE account first.
    const staffLine = `U${'5'.repeat(32)}`
    await page.locator('#testUser').fill(staffLine)
    await page.getByTestId('campaign-test').click()
    await page.getByText('已送出測試訊息').waitFor()
    expect(fake.messagesFor(staffLine).at(-1)).toMatchObject({ text: '晨光鎮智慧零售補助開放申請了，輸入「問問題」了解資格。' })
    // With a knowledge document's card: the text, then the card (its title, lead and source) with a button.
    await page.locator('#documentId').selectOption({ index: 1 })
    const docTitle = (await page.locator('#documentId option').nth(1).innerText()).trim()
    await page.getByTestId('campaign-preview').click()
    await expect(page.getByTestId('campaign-cost').innerText()).resolves.toBe('1400')
    await page.getByTestId('campaign-test').click()
    await page.getByText('已送出測試訊息').waitFor()
    const card = fake.messagesFor(staffLine).at(-1) as { type: string; altText: string; contents: { footer: { contents: { action: { data: string } }[] } } }
    expect(card).toMatchObject({ type: 'flex', altText: docTitle })
    expect(card.contents.footer.contents[0]!.action.data).toBe('action=ask')
    await page.locator('#documentId').selectOption('')
    const before = fake.multicasts.length
    await page.getByTestId('campaign-send').click()
    await page.waitForURL(/\/console\/campaigns\/\d+$/)
    // The page refreshes itself while sending.
    await page.getByTestId('campaign-status').filter({ hasText: '已完成' }).waitFor({ timeout: 30_000 })
    await expect(page.getByTestId('campaign-sent').innerText()).resolves.toBe('700')
    expect(fake.multicasts.length - before).toBe(2)
    expect(users.every((u) => fake.deliveriesFor(u).length === 1)).toBe(true)
    // A recipient taps the message's 問計畫問題 and asks: the campaign's results count both.
    const tapData = (fake.messagesFor(users[7]!).at(-1) as { quickReply: { items: { action: { data: string } }[] } }).quickReply.items[0]!.action.data
    expect(tapData).toMatch(/^action=ask&campaign=\d+$/)
    await setup.bot.send([postbackEvent({ userId: users[7]! }, tapData, fake.issueReplyToken(users[7]!))])
    await setup.bot.send([textEvent({ userId: users[7]! }, QUESTION, fake.issueReplyToken(users[7]!))])
    await waitFor(() => fake.deliveriesFor(users[7]!).length >= 3, 'the replies to the tap and the question')
    await page.reload()
    await expect(page.getByTestId('campaign-tapped').innerText()).resolves.toBe('1')
    await expect(page.getByTestId('campaign-asked').innerText()).resolves.toBe('1')
    await page.goto(url('/console/learn'))
    await page.getByTestId('chart-campaigns').waitFor()
    const audits = rowsOf<{ action: string }>(await db.execute(sql`SELECT action FROM audit_log WHERE action LIKE 'campaign.%' ORDER BY id`))
    expect(audits.map((a) => a.action)).toEqual(['campaign.test', 'campaign.test', 'campaign.send'])
    fake.quotaLimit = null
  })

  it('re-indexes everything with a progress bar', async () => {
    await page.goto(url('/console/kb'))
    await page.getByTestId('reindex').click()
    await page.waitForURL(/\/console\/kb\/jobs\//)
    await page.locator('[data-testid=job-label][data-state=done]').waitFor()
    await expect(page.getByTestId('job-label').innerText()).resolves.toMatch(/完成：\d+ 份文件/)
    expect(await ask(QUESTION)).toContain('38萬元')
  })

  it('rejects a broken file with a clear message and changes nothing', async () => {
    const file = join(dir, 'broken.docx')
    await writeFile(file, 'this is not a zip file')
    const count = rowsOf<{ n: number }>(await setup.bot.database.db.execute(sql`SELECT count(*)::int AS n FROM kb_document_versions`))[0]!.n
    await page.goto(url('/console/kb'))
    await page.getByTestId('upload-file').setInputFiles(file)
    await page.getByTestId('upload-submit').click()
    await expect(page.locator('p.error').innerText()).resolves.toContain('無法讀取這個 Word 檔')
    const big = join(dir, 'big.txt')
    await writeFile(big, '大'.repeat(2_000_000))
    await page.getByTestId('upload-file').setInputFiles(big)
    await page.getByTestId('upload-submit').click()
    await expect(page.locator('p.error').innerText()).resolves.toContain('超過 5 MB')
    expect(rowsOf<{ n: number }>(await setup.bot.database.db.execute(sql`SELECT count(*)::int AS n FROM kb_document_versions`))[0]!.n).toBe(count)
  })

  it('learn: groups unanswered questions, links them to a new document, draws charts and exports CSV', async () => {
    await ask('晨光鎮的路燈維修要找誰？')
    await ask('請問晨光鎮路燈維修該找誰')
    await page.goto(url('/console/learn'))
    const group = page.getByTestId('gap-group').filter({ hasText: '路燈維修' })
    await expect(group.count()).resolves.toBe(1)
    await expect(group.getByTestId('gap-count').innerText()).resolves.toBe('2')
    for (const chart of ['chart-daily', 'chart-coverage', 'chart-topics', 'chart-cases', 'chart-levels', 'chart-changes']) {
      await expect(page.getByTestId(chart).count(), chart).resolves.toBe(1)
    }
    await expect(page.getByTestId('kpi-questions').innerText()).resolves.toMatch(/^\d+$/)
    // Topics: the published document was cited.
    await expect(page.getByTestId('chart-topics').textContent()).resolves.toContain('晨光鎮智慧零售補助')

    const res = await page.request.get(url('/console/learn/export.csv?kind=gaps'))
    expect(res.headers()['content-type']).toContain('text/csv')
    const bytes = await res.body()
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(bytes.toString('utf8')).toContain('路燈維修')

    await group.getByTestId('fill-gap').click()
    await page.waitForURL(/\/console\/kb\/new\?q=/)
    await expect(page.inputValue('#body')).resolves.toContain('## 晨光鎮的路燈維修要找誰？')
  })

  it('data files: a broken edit is refused with the field named; a valid save is versioned and restorable', async () => {
    await page.goto(url('/console/data/programmes'))
    const original = await page.inputValue('#content')
    await setContent(page, original.replace(/^version: .*$/m, 'version: [oops'))
    await page.getByTestId('data-save').click()
    await expect(page.getByTestId('data-error').innerText()).resolves.toMatch(/YAML|version/)
    await expect(page.getByTestId('data-history').count()).resolves.toBe(0)

    await setContent(page, original.replace(/^version: .*$/m, 'version: "pmo-edit-1"'))
    await page.getByTestId('data-save').click()
    await page.getByText('已儲存（版本 #').waitFor()
    await setContent(page, original)
    await page.getByTestId('data-save').click()
    await page.getByText('已儲存（版本 #').waitFor()
    const history = page.getByTestId('data-history').locator('tbody tr')
    await expect(history.count()).resolves.toBe(2)
    await history.nth(1).getByText('還原').click()
    await page.getByText(/已還原版本 #\d+/).waitFor()
    await expect(page.inputValue('#content')).resolves.toContain('version: "pmo-edit-1"')
    await expect(history.count()).resolves.toBe(3)

    // Assessment questions changed under the same version are refused, with what to do.
    await page.goto(url('/console/data/assessment'))
    const questions = await page.inputValue('#content')
    await setContent(page, questions.replace('- value: agriculture', '- value: agriculture-and-fishing'))
    await page.getByTestId('data-save').click()
    await expect(page.getByTestId('data-error').innerText()).resolves.toContain('請把 version 改成新的值')
    await expect(page.getByTestId('data-history').count()).resolves.toBe(0)
  })

  it('programme rules as a form: the field named on a bad value, a preview of sample firms, and after publishing a matching firm may apply', async () => {
    await page.goto(url('/console/kb/new'))
    await page.fill('#id', 'dawn-breakfast-digital')
    await page.fill('#title', '晨光鎮早餐店數位點餐補助')
    await page.selectOption('#kind', 'programme')
    await page.fill('#source', '晨光鎮公所115年公告（測試）')
    await page.fill('#source_date', '2026-11')
    await page.fill('#body', '## 補助內容\n\n晨光鎮的餐飲店導入數位點餐，每家最多補助3萬元。\n')
    await page.check('#rules_enabled')
    await page.fill('#rules_short_name', '早餐店數位點餐補助')
    await page.fill('#rules_benefit', '每家最多補助3萬元')
    await page.check('input[name=rules_industries][value=food-lodging]')
    await page.fill('#rules_max_employees', '三十')
    await page.fill('#rules_wording', '設籍晨光鎮、員工30人以下之餐飲業者')
    await page.getByTestId('preview-rules').click()
    await expect(page.getByTestId('error-rules_max_employees').innerText()).resolves.toContain('數字')
    await page.fill('#rules_max_employees', '30')
    await page.getByTestId('preview-rules').click()
    const rows = await page.getByTestId('sample-firm').allInnerTexts()
    expect(rows.find((r) => r.includes('20 人的餐廳'))).toContain('✅ 符合')
    expect(rows.find((r) => r.includes('80 人的食品廠'))).toMatch(/❌ 不符合[\s\S]*行業/)
    // nothing is saved by a preview
    expect(await versions('dawn-breakfast-digital')).toEqual([])
    const before = await ask('我們是10人的早餐店，可以申請什麼補助？')
    expect(before).not.toContain('早餐店數位點餐補助')
    await page.getByTestId('publish').click()
    await page.getByText('已發布第 1 版').waitFor()
    // The bot reads published rules within seconds, without a restart.
    let after = ''
    for (let i = 0; i < 40 && !after.includes('早餐店數位點餐補助'); i++) {
      await new Promise((r) => setTimeout(r, 250))
      after = await ask('我們是10人的早餐店，可以申請什麼補助？')
    }
    expect(after).toMatch(/✅ 可以申請[\s\S]*早餐店數位點餐補助/)
    // the form reopens with the rules in its fields
    await page.goto(url('/console/kb/doc/dawn-breakfast-digital/edit'))
    await expect(page.inputValue('#rules_max_employees')).resolves.toBe('30')
    await expect(page.isChecked('input[name=rules_industries][value=food-lodging]')).resolves.toBe(true)
  })

  it('a consultant gets 403 on the PMO pages', async () => {
    const other = await browser.newContext({ locale: 'zh-TW' })
    const p = await other.newPage()
    await p.goto(url('/console/login'))
    await p.fill('#username', 'consultant-bob')
    await p.fill('#password', 'consultant-pass-123')
    await p.click('button[type=submit]')
    await p.waitForURL(/\/console\/(cases|$)/)
    for (const path of ['/console/kb', '/console/kb/try', '/console/learn', '/console/data']) {
      const res = await p.goto(url(path))
      expect(res?.status(), path).toBe(403)
    }
    await other.close()
  })

  it('ran without page errors', () => {
    // The editor answers a rejected form with 400 on purpose; Chromium logs every 4xx page load.
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([])
  })
})

/**
 * What the issue asks for in so many words: a document uploaded in the PMO console is answerable in
 * the simulator — the app in simulator mode, both pages in one browser, no restart in between.
 */
describe('PMO console and the simulator page together', () => {
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    server = await startServer(loadConfig({ PORT: '0', DATA_DIR: 'memory://', SIMULATOR: '1', ADMIN_TOKEN }), { hostname: '127.0.0.1', log: silentLogger, knowledgeDir: FIXTURES })
    await server.knowledgeReady
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('an uploaded and published document is answered, with its title as the source, in the simulator', async () => {
    const consolePage = await browser.newPage({ viewport: { width: 1100, height: 900 }, locale: 'zh-TW' })
    consolePage.setDefaultTimeout(15_000)
    const errors = pageErrors(consolePage)
    await consolePage.goto(`${server.url}/console/setup`)
    await consolePage.fill('#adminToken', ADMIN_TOKEN)
    await consolePage.fill('#username', 'pmo-sim')
    await consolePage.fill('#displayName', '林專員')
    await consolePage.fill('#password', 'pmo-password-456')
    await consolePage.click('button[type=submit]')
    await consolePage.waitForURL(/\/console\/staff/)

    const dir = await mkdtemp(join(tmpdir(), 'pmo-sim-'))
    const file = join(dir, 'lantern.md')
    await writeFile(
      file,
      '---\nid: dawn-lantern-grant\ntitle: 晨光鎮老街燈籠店招補助\nkind: programme\nsource: 晨光鎮公所公告（測試）\nsource_date: 2026-05\nstatus: current\ntags: [店招]\n---\n\n## 補助金額\n\n晨光鎮老街燈籠店招補助每家店最多補助新臺幣2,400元。\n',
    )
    await consolePage.goto(`${server.url}/console/kb`)
    await consolePage.getByTestId('upload-file').setInputFiles(file)
    await consolePage.getByTestId('upload-submit').click()
    await consolePage.waitForURL(/\/console\/kb\/doc\/dawn-lantern-grant\/edit/)
    await consolePage.goto(`${server.url}/console/kb/doc/dawn-lantern-grant`)
    await consolePage.getByTestId('publish-draft').click()
    await consolePage.getByText('已發布第 2 版').waitFor()

    const chat = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-TW' })
    chat.setDefaultTimeout(15_000)
    errors.push(...pageErrors(chat))
    await chat.goto(`${server.url}/simulator`)
    const bot = chat.getByTestId('bot-message')
    const before = await bot.count()
    await chat.getByTestId('composer').fill('晨光鎮老街燈籠店招補助最多補助多少錢？')
    await chat.getByTestId('send').click()
    await bot.nth(before).waitFor()
    const reply = await bot.nth(before).innerText()
    expect(reply).toContain('2,400元')
    expect(reply).toContain('晨光鎮老街燈籠店招補助')
    expect(errors).toEqual([])
  })
})
