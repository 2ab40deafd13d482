import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRichMenuApi } from '../src/line/richmenu-client.js'
import { parseRichMenuFile, richMenuRequest } from '../src/outreach/richmenu.js'
import { installRichMenus, readRichMenuFile, OUTREACH_DIR } from '../src/outreach/files.js'
import { startFakeLine, TOKEN, type FakeLineServer } from './helpers/harness.js'

/** The rich menu from its file to the channel, against the fake LINE API on a real socket. */

let line: FakeLineServer
beforeAll(async () => {
  line = await startFakeLine()
})
afterAll(async () => {
  await line?.close()
})

/** Width and height from a PNG's IHDR chunk. */
const pngSize = (b: Uint8Array) => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return { width: v.getUint32(16), height: v.getUint32(20) }
}

describe('rich menu', () => {
  it('ships an image of the menu size for every menu, under LINE’s 1 MB', async () => {
    const file = await readRichMenuFile()
    for (const menu of file.menus) {
      const png = new Uint8Array(await readFile(join(OUTREACH_DIR, `richmenu-${menu.id}.png`)))
      expect(pngSize(png)).toEqual(file.size)
      expect(png.length).toBeLessThan(1024 * 1024)
    }
  })

  it('covers the image exactly with six tap areas that reuse the bot’s actions', async () => {
    const file = await readRichMenuFile()
    const req = richMenuRequest(file, file.menus.find((m) => m.id === 'default')!)
    expect(req.areas.map((a) => a.action.data)).toEqual(['action=ask', 'action=assess', 'action=consultant', 'action=subscribe', 'action=my-data', 'action=menu'])
    expect(req.areas.reduce((s, a) => s + a.bounds.width * a.bounds.height, 0)).toBe(file.size.width * file.size.height)
    const handoff = richMenuRequest(file, file.menus.find((m) => m.id === 'handoff')!)
    expect(handoff.areas[0]!.action).toMatchObject({ label: '結束真人服務', data: 'action=end-handoff' })
  })

  it('refuses a file without a default menu, naming the problem', () => {
    const bad = 'size: { width: 2500, height: 1686 }\nchat_bar_text: 選單\nmenus:\n  - id: other\n    name: x\n    cells: []\n'
    expect(() => parseRichMenuFile(bad)).toThrow(/menus/)
  })

  it('is created with its images and set as every user’s default; running again replaces it, never leaving the chat without one', async () => {
    const api = createRichMenuApi({ channelAccessToken: TOKEN, baseUrl: line.url })
    const file = await readRichMenuFile()
    const first = await installRichMenus(api, file)
    expect(line.fake.richMenus.defaultId).toBe(first.default)
    expect(line.fake.richMenus.menuFor('U-any')!.request.chatBarText).toBe('選單')
    expect(line.fake.richMenus.menuFor('U-any')!.image!.type).toBe('image/png')
    const second = await installRichMenus(api, file)
    expect(second.default).not.toBe(first.default)
    expect(line.fake.richMenus.defaultId).toBe(second.default)
    expect((await api.list()).map((m) => m.richMenuId).sort()).toEqual(Object.values(second).sort())
  })

  it('the fake speaks LINE’s rules: areas inside the menu, an image before it is applied', async () => {
    const api = createRichMenuApi({ channelAccessToken: TOKEN, baseUrl: line.url })
    const file = await readRichMenuFile()
    const req = richMenuRequest(file, file.menus[0]!)
    await expect(api.create({ ...req, areas: [{ ...req.areas[0]!, bounds: { x: 2400, y: 0, width: 200, height: 100 } }] })).rejects.toMatchObject({ status: 400 })
    const id = await api.create(req)
    await expect(api.setDefault(id)).rejects.toMatchObject({ status: 400 })
    await expect(api.linkToUser('U-1', 'richmenu-unknown')).rejects.toMatchObject({ status: 404 })
  })
})

describe('the menu of a consultant chat', () => {
  it('switches to the menu with 結束真人服務 while the case is open, and back when it ends', async () => {
    const { startChatBot } = await import('./helpers/harness.js')
    const { postbackEvent, textEvent } = await import('../src/simulator/events.js')
    const setup = await startChatBot(join(import.meta.dirname, 'fixtures', 'knowledge'))
    try {
      const fake = setup.line.fake
      const ids = await installRichMenus(createRichMenuApi({ channelAccessToken: TOKEN, baseUrl: setup.line.url }), await readRichMenuFile())
      const user = `U${'d4'.repeat(16)}`
      const send = async (event: { webhookEventId: string }) => {
        await setup.bot.send([event])
        await waitForEvent(setup, event.webhookEventId)
      }
      await send(postbackEvent({ userId: user }, 'action=consultant', fake.issueReplyToken(user)))
      for (const answer of ['阿明五金行', '平日下午', '想了解雲端點數']) await send(textEvent({ userId: user }, answer, fake.issueReplyToken(user)))
      expect(setup.bot.handled.at(-1)!.intent).toBe('handoff-open')
      await waitUntil(() => fake.richMenus.perUser.get(user) === ids.handoff)
      expect(fake.richMenus.menuFor(user)!.request.areas[0]!.action).toMatchObject({ label: '結束真人服務' })
      // Tapping the menu's first area ends the case; the default menu comes back.
      await send(postbackEvent({ userId: user }, 'action=end-handoff', fake.issueReplyToken(user)))
      await waitUntil(() => !fake.richMenus.perUser.has(user))
      expect(fake.richMenus.menuFor(user)!.richMenuId).toBe(ids.default)
    } finally {
      await setup.close()
    }
  })
})

async function waitUntil(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!probe()) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}
async function waitForEvent(setup: { bot: { handled: { event: string }[] } }, id: string): Promise<void> {
  await waitUntil(() => setup.bot.handled.some((h) => h.event === id))
}
