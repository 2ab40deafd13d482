import { Hono } from 'hono'
import { z } from 'zod'
import type { FakeLineApi } from './fake-line.js'
import { renderMessage, renderSimulatorPage } from './page.js'
import { followEvent, imageEvent, postbackEvent, postWebhook, stickerEvent, textEvent, unfollowEvent } from './events.js'

const sendSchema = z.object({
  userId: z.string().min(1).max(64),
  groupId: z.string().min(1).max(64).optional(),
  kind: z.enum(['text', 'postback', 'follow', 'unfollow', 'sticker', 'image']),
  text: z.string().max(5000).optional(),
  data: z.string().max(300).optional(),
  mention: z.boolean().optional(),
})

export interface SimulatorDeps {
  channelSecret: string
  /** The built-in fake LINE API the bot replies to; absent when LINE_API_BASE_URL points elsewhere. */
  fakeLine: FakeLineApi | undefined
  /** This server's own webhook on loopback (fixed at start; the Host header is never used). */
  webhookUrl: () => string
}

/**
 * The simulator: a LINE-like page whose actions become signed webhook events sent over HTTP to this
 * server's own /webhook, and whose incoming messages are what the bot sent to the fake LINE API.
 */
export function simulatorRoutes(deps: SimulatorDeps): Hono {
  const app = new Hono()

  app.post('/api/send', async (c) => {
    const parsed = sendSchema.safeParse(await c.req.json().catch(() => null))
    if (!parsed.success) return c.json({ error: z.prettifyError(parsed.error) }, 400)
    const input = parsed.data
    const source = { userId: input.userId, groupId: input.groupId }
    const chatId = input.groupId ?? input.userId
    const token = () => deps.fakeLine?.issueReplyToken(chatId) ?? crypto.randomUUID().replace(/-/g, '')
    const event =
      input.kind === 'text'
        ? textEvent(source, input.text ?? '', token(), input.mention ?? false)
        : input.kind === 'postback'
          ? postbackEvent(source, input.data ?? '', token())
          : input.kind === 'follow'
            ? followEvent(source, token())
            : input.kind === 'unfollow'
              ? unfollowEvent(source)
              : input.kind === 'sticker'
                ? stickerEvent(source, token())
                : imageEvent(source, token())
    const res = await postWebhook(deps.webhookUrl(), deps.channelSecret, [event])
    return c.json({ status: res.status, webhookEventId: event.webhookEventId }, res.ok ? 200 : 502)
  })

  app.get('/api/messages', (c) => {
    const chatId = c.req.query('chatId') ?? ''
    const after = Number(c.req.query('after') ?? 0) || 0
    // Each message also comes rendered for the page (text, Flex, quick reply chips).
    const deliveries = (deps.fakeLine?.deliveriesFor(chatId, after) ?? []).map((d) => ({ ...d, rendered: d.messages.map(renderMessage) }))
    // As on LINE, the loading animation ends when it times out or when the bot's next message arrives.
    const lastAt = deps.fakeLine?.deliveriesFor(chatId).at(-1)?.at ?? -Infinity
    const loading = deps.fakeLine?.loading.some((l) => l.chatId === chatId && l.at + l.seconds * 1000 > Date.now() && l.at > lastAt) ?? false
    c.header('cache-control', 'no-store')
    return c.json({ deliveries, loading })
  })

  // The rich menu the phone would show this user (their own, else the default), drawn by the page.
  app.get('/api/richmenu', (c) => {
    const menu = deps.fakeLine?.richMenus.menuFor(c.req.query('userId') ?? '')
    c.header('cache-control', 'no-store')
    if (!menu?.image) return c.json({ menu: null })
    const { size, chatBarText, areas } = menu.request
    return c.json({ menu: { id: menu.richMenuId, size, chatBarText, areas } })
  })
  app.get('/api/richmenu/:id/image', (c) => {
    const image = deps.fakeLine?.richMenus.menus.get(c.req.param('id'))?.image
    return image ? c.body(image.bytes.slice().buffer, 200, { 'content-type': image.type, 'cache-control': 'max-age=3600' }) : c.json({ error: 'not found' }, 404)
  })

  app.get('/', (c) => c.html(renderSimulatorPage(`${c.req.path.replace(/\/+$/, '')}/api`)))
  return app
}
