import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copy } from '../src/chat/copy.js'
import { handoffCopy } from '../src/handoff/copy.js'
import { loadConfig, SIMULATOR_TOKEN } from '../src/config.js'
import { silentLogger } from '../src/log.js'
import { startServer, type RunningServer } from '../src/server.js'
import { launchBrowser, pageErrors, renderedFonts } from './helpers/browser.js'

/**
 * The simulator page in a real headless Chromium against the real app in simulator mode: clicks and
 * typing become signed webhooks, the worker answers through the built-in fake LINE API, and the page
 * shows what the fake received.
 */
describe('simulator page in a browser', () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let errors: string[]
  let userId: string

  beforeAll(async () => {
    server = await startServer(loadConfig({ PORT: '0', DATA_DIR: 'memory://', SIMULATOR: '1' }), { hostname: '127.0.0.1', log: silentLogger })
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-TW' })
    page.setDefaultTimeout(10_000)
    errors = pageErrors(page)
    await page.goto(`${server.url}/simulator`)
    userId = await page.getByTestId('user-id').inputValue()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  const bot = () => page.getByTestId('bot-message')
  const user = () => page.getByTestId('user-message')
  /** The user's bubble with exactly this text. */
  const said = (text: string) => user().locator('.bubble').filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) })
  const chips = () => page.getByTestId('quick-reply')
  const chipLabels = () => chips().allInnerTexts()

  /** Sends a message the way the bot would, straight to the fake LINE API (for what no route sends yet). */
  async function lineApi(path: string, body: unknown): Promise<void> {
    const res = await server.fakeLine!.app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${SIMULATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    expect(res.status, await res.clone().text()).toBeLessThan(300)
  }

  it('shows a LINE-like page with a local user id kept across reloads', async () => {
    await expect(page.title()).resolves.toBe('中小企業數位轉型小幫手（模擬器）')
    await expect(page.getByTestId('header').innerText()).resolves.toContain('本機模擬器')
    expect(userId).toMatch(/^Usim[0-9a-f]{28}$/)
    await page.reload()
    await expect(page.getByTestId('user-id').inputValue()).resolves.toBe(userId)
    for (const id of ['follow', 'unfollow', 'sticker', 'image', 'composer', 'send']) await expect(page.getByTestId(id).isVisible()).resolves.toBe(true)
    await page.getByTestId('connection').filter({ hasText: '已連線' }).waitFor()
    await expect(page.getByTestId('typing').isVisible()).resolves.toBe(false)
  })

  it('follow: the welcome with its automation notice, then the privacy note with the menu as quick replies', async () => {
    await page.getByTestId('follow').click()
    await bot().filter({ hasText: '自動產生' }).waitFor()
    await bot().filter({ hasText: '隱私說明' }).waitFor()
    await expect(bot().count()).resolves.toBe(2)
    await expect(chipLabels()).resolves.toEqual(['問計畫問題', '數位程度評測', '找真人顧問', '訂閱通知', '我的資料'])
    // Line breaks survive, and each message says how it arrived.
    const welcome = bot().first()
    await expect(welcome.locator('.text').innerText()).resolves.toContain('我可以：\n1️⃣')
    await expect(welcome.getByTestId('via').innerText()).resolves.toBe('reply')
  })

  it('draws the rich menu under the chat like a phone, and a tapped area talks to the bot', async () => {
    await page.getByTestId('rich-menu-bar').waitFor()
    await expect(page.getByTestId('rich-menu-toggle').innerText()).resolves.toContain('選單')
    await page.getByTestId('rich-menu-toggle').click()
    await expect(page.getByTestId('rich-menu-area').count()).resolves.toBe(6)
    const image = page.getByTestId('rich-menu').locator('img')
    await expect(image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(2500)
    // The fifth area (我的資料) sits where the image draws it: second row, middle column.
    const area = page.getByTestId('rich-menu-area').nth(4)
    const [box, img] = await Promise.all([area.boundingBox(), image.boundingBox()])
    expect(box!.x - img!.x).toBeCloseTo(img!.width / 3, 0)
    expect(box!.y - img!.y).toBeCloseTo(img!.height / 2, 0)
    await area.click()
    await said('我的資料').waitFor()
    await bot().filter({ hasText: '我們為您保存的資料' }).waitFor()
  })

  it('typing 選單 and pressing Enter shows the user bubble and the menu reply', async () => {
    await page.getByTestId('composer').fill('選單')
    await page.getByTestId('composer').press('Enter')
    await said('選單').waitFor()
    await expect(page.getByTestId('composer').inputValue()).resolves.toBe('')
    await bot().filter({ hasText: copy.menuIntro }).waitFor()
    await expect(chipLabels()).resolves.toContain('找真人顧問')
  })

  it('a postback quick reply shows its display text as the user message and starts its step', async () => {
    const before = await bot().count()
    await chips().filter({ hasText: '找真人顧問' }).click()
    await expect(chips().count()).resolves.toBe(0) // used quick replies go away, as on LINE
    await said('找真人顧問').waitFor()
    await bot().nth(before).waitFor()
    // 找真人顧問 starts the handoff intake, whose first question offers 略過 / 取消.
    expect(await bot().nth(before).locator('.text').innerText()).toContain(handoffCopy.start)
    await expect(chipLabels()).resolves.toContain('取消')
    await chips().filter({ hasText: '取消' }).click()
    await bot().filter({ hasText: handoffCopy.cancelled }).waitFor()
  })

  it('a sticker gets the polite text-only reply', async () => {
    await page.getByTestId('sticker').click()
    await bot().filter({ hasText: '謝謝您的貼圖' }).waitFor()
    await expect(chipLabels()).resolves.toContain('我的資料')
  })

  it('deleting my data: 我的資料, its 刪除我的資料 quick reply, the confirmation, then 確認刪除', async () => {
    await chips().filter({ hasText: /^我的資料$/ }).click()
    await bot().filter({ hasText: '我們為您保存的資料' }).waitFor()
    await chips().filter({ hasText: '刪除我的資料' }).click()
    await said('刪除我的資料').waitFor()
    await bot().filter({ hasText: '確定要刪除' }).waitFor()
    await expect(chipLabels()).resolves.toEqual(['確認刪除', '取消'])
    await chips().filter({ hasText: '確認刪除' }).click()
    await bot().filter({ hasText: '已刪除' }).waitFor()
  })

  it('renders a pushed Flex carousel: bold text, separator, image placeholder, working buttons and links', async () => {
    await lineApi('/v2/bot/message/push', {
      to: userId,
      messages: [
        {
          type: 'flex',
          altText: '兩個計畫',
          contents: {
            type: 'carousel',
            contents: [
              {
                type: 'bubble',
                hero: { type: 'image', url: 'https://example.com/a.png' },
                body: {
                  type: 'box',
                  layout: 'vertical',
                  contents: [
                    { type: 'text', text: '雲市集數位點數', weight: 'bold', size: 'lg' },
                    { type: 'separator' },
                    { type: 'text', text: '<b>不是粗體</b>', wrap: true },
                  ],
                },
                footer: {
                  type: 'box',
                  layout: 'vertical',
                  contents: [
                    { type: 'button', style: 'primary', action: { type: 'postback', label: '看這個', data: 'action=consultant', displayText: '我想看雲市集' } },
                    { type: 'button', action: { type: 'uri', label: '官方網站', uri: 'https://example.com/' } },
                  ],
                },
              },
              { type: 'bubble', body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: '第二張' }] } },
            ],
          },
        },
      ],
    })
    const flex = bot().filter({ has: page.getByTestId('flex-carousel') })
    await flex.waitFor()
    await expect(flex.getByTestId('via').innerText()).resolves.toBe('push')
    await expect(flex.getByTestId('flex-bubble').count()).resolves.toBe(2)
    const title = flex.getByTestId('flex-text').filter({ hasText: '雲市集數位點數' })
    await expect(title.evaluate((el) => getComputedStyle(el).fontWeight)).resolves.toBe('700')
    await expect(flex.locator('hr').count()).resolves.toBe(1)
    await expect(flex.getByTestId('flex-image').innerText()).resolves.toContain('圖片')
    await expect(flex.getByTestId('flex-text').filter({ hasText: '<b>不是粗體</b>' }).count()).resolves.toBe(1)
    await expect(flex.locator('b').count()).resolves.toBe(0)
    await expect(flex.getByRole('link', { name: '官方網站' }).getAttribute('href')).resolves.toBe('https://example.com/')

    const before = await bot().count()
    await flex.getByTestId('flex-button').filter({ hasText: '看這個' }).click()
    await said('我想看雲市集').waitFor()
    await bot().nth(before).waitFor()
  })

  it('shows the typing indicator while loading, until the next message arrives', async () => {
    await lineApi('/v2/bot/chat/loading/start', { chatId: userId, loadingSeconds: 20 })
    await page.getByTestId('typing').waitFor({ state: 'visible' })
    await lineApi('/v2/bot/message/push', { to: userId, messages: [{ type: 'text', text: '<img src=x onerror="window.pwned=1">好了\n第二行' }] })
    await page.getByTestId('typing').waitFor({ state: 'hidden' })
    const last = bot().last()
    await expect(last.locator('.text').innerText()).resolves.toBe('<img src=x onerror="window.pwned=1">好了\n第二行')
    await expect(last.locator('img').count()).resolves.toBe(0)
  })

  it('answers a programme question from the knowledge folder with a Flex card', async () => {
    await server.knowledgeReady
    const before = await bot().count()
    await page.getByTestId('composer').fill('技術輔導的申請資格是什麼？')
    await page.getByTestId('send').click()
    const reply = bot().nth(before)
    await reply.waitFor({ timeout: 15_000 })
    if ((await reply.getAttribute('data-type')) === 'flex') {
      await expect(reply.getByTestId('flex-text').first().innerText()).resolves.toContain('自動整理')
      await expect(reply.innerText()).resolves.not.toContain('[flex]')
    }
    await expect(chipLabels()).resolves.toContain('找真人顧問')
  })

  it('draws Chinese with a CJK font, and ran without script errors', async () => {
    const fonts = await renderedFonts(page, 'header h1')
    expect(fonts.map((f) => f.familyName).join(', ')).toMatch(/CJK|Noto Sans (TC|SC|JP)|WenQuanYi|Droid Sans Fallback/i)
    // Full-width glyphs are one em wide; the fallback box of a missing font is narrower.
    const width = await page.evaluate(() => {
      const ctx = document.createElement('canvas').getContext('2d')!
      ctx.font = `20px ${getComputedStyle(document.body).fontFamily}`
      return ctx.measureText('數位轉型小幫手').width
    })
    expect(width).toBeGreaterThan(7 * 20 - 2)
    expect(width).toBeLessThan(7 * 20 + 2)
    await page.screenshot({ path: '/tmp/simulator.png', fullPage: false })
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined()
    expect(errors).toEqual([])
  })
})
