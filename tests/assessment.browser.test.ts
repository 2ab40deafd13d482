import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config.js'
import { silentLogger } from '../src/log.js'
import { startServer, type RunningServer } from '../src/server.js'
import { launchBrowser, pageErrors } from './helpers/browser.js'

/**
 * The quick assessment in the simulator page, in a real headless Chromium: the user starts it from
 * the menu and answers by clicking quick replies (and once by typing), as on a phone.
 */
describe('the quick assessment in the simulator', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    server = await startServer(loadConfig({ PORT: '0', DATA_DIR: 'memory://', SIMULATOR: '1' }), { hostname: '127.0.0.1', log: silentLogger })
    await server.knowledgeReady
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-TW' })
    page.setDefaultTimeout(10_000)
    errors = pageErrors(page)
    await page.goto(`${server.url}/simulator`)
    await page.getByTestId('connection').filter({ hasText: '已連線' }).waitFor()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  const bot = () => page.getByTestId('bot-message')
  const chips = () => page.getByTestId('quick-reply')
  const chipLabels = () => chips().allInnerTexts()

  /** Clicks a quick reply and waits for the bot message that shows `expect`. */
  async function click(label: string | RegExp, expectText: string): Promise<void> {
    const before = await bot().count()
    await chips().filter({ hasText: label }).first().click()
    await bot().nth(before).waitFor()
    await bot().filter({ hasText: expectText }).last().waitFor()
  }

  it('starts from the menu with progress and the options as quick replies', async () => {
    await page.getByTestId('follow').click()
    await bot().filter({ hasText: '隱私說明' }).waitFor()
    await click('數位程度評測', '1/13')
    await expect(bot().filter({ hasText: '3 分鐘' }).count()).resolves.toBe(1)
    await expect(chipLabels()).resolves.toEqual(['製造業', '批發零售', '餐飲住宿', '其他服務業', '農林漁牧', '營造工程', '其他行業', '跳過', '取消'])
  })

  it('answers by clicking, skips, goes back and understands a typed answer', async () => {
    await click('製造業', '2/13｜員工人數')
    await click('跳過', '3/13｜實收資本額')
    await click('上一題', '（上次回答：跳過）')
    await click('10～49人', '3/13｜實收資本額')
    await click('1,000萬元以下', '4/13｜年營業額')
    await click('超過1億～20億元', '5/13｜工廠登記')
    await click('有工廠登記', '6/13｜所在地區')
    await click('中部', '7/13｜生產與營運')
    await expect(chipLabels()).resolves.toEqual(['① 紙本工單、白板排程', '② 用 Excel 排程記錄', '③ 有生產/營運管理系統', '④ ERP 串起生產與庫存', '⑤ 用 AI 預測、智慧排程', '⬅️ 上一題', '跳過', '取消'])
    const before = await bot().count()
    await page.getByTestId('composer').fill('都用紙本')
    await page.getByTestId('send').click()
    await bot().nth(before).waitFor()
    await bot().filter({ hasText: '收到：第 1 級' }).waitFor()
    await bot().filter({ hasText: '8/13｜進銷存' }).waitFor()
  })

  it('shows the result as a Flex carousel with the next steps', async () => {
    for (const [label, next] of [
      ['② 用 Excel 記進出貨', '9/13'],
      ['③ 用會計軟體', '10/13'],
      ['② 用 Excel 算薪資', '11/13'],
      ['① 靠口碑、電話、傳單', '12/13'],
      ['② 有裝防毒軟體', '13/13'],
    ] as const) {
      await click(label, next)
    }
    await click('② 用 Excel 做統計圖表', '完成了')
    const card = bot().filter({ has: page.getByTestId('flex-carousel') }).last()
    await card.waitFor()
    await expect(card.getByTestId('flex-bubble').count()).resolves.toBe(2)
    const texts = (await card.getByTestId('flex-text').allInnerTexts()).join('\n')
    expect(texts).toContain('第 1 級')
    expect(texts).toContain('最需要加強')
    expect(texts).toContain('生產與營運、行銷與客戶經營')
    expect(texts).toContain('可能可以申請的計畫')
    expect(texts).toContain('雲市集工業館數位點數')
    await expect(chipLabels()).resolves.toEqual(['💬 找顧問談結果', '🏛️ 看全部計畫', '📚 看類似案例', '⏰ 之後再測', '選單'])
    await page.screenshot({ path: '/tmp/assessment-result.png', fullPage: false })
    await click('之後再測', '提升 1 級')
    expect(errors).toEqual([])
  })
})
