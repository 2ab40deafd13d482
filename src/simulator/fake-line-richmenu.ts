import type { Hono } from 'hono'
import { z } from 'zod'

/**
 * The rich-menu part of the fake LINE API, with LINE's rules: sizes and areas checked on create,
 * one image per menu (PNG or JPEG, at most 1 MB, uploaded to the file host's path), no default
 * or per-user menu before its image is there, 404 for an unknown id.
 */

const SIZES = [
  [2500, 1686],
  [2500, 843],
  [1200, 810],
  [1200, 405],
  [800, 540],
  [800, 270],
]
const bounds = z.object({ x: z.number().int().min(0), y: z.number().int().min(0), width: z.number().int().positive(), height: z.number().int().positive() })
const requestSchema = z
  .object({
    size: z.object({ width: z.number().int(), height: z.number().int() }),
    selected: z.boolean(),
    name: z.string().min(1).max(300),
    chatBarText: z.string().min(1).max(14),
    areas: z.array(z.object({ bounds, action: z.looseObject({ type: z.string() }) })).min(1).max(20),
  })
  .superRefine((r, ctx) => {
    if (!SIZES.some(([w, h]) => r.size.width === w && r.size.height === h)) ctx.addIssue({ code: 'custom', path: ['size'], message: 'invalid size' })
    r.areas.forEach((a, i) => {
      if (a.bounds.x + a.bounds.width > r.size.width || a.bounds.y + a.bounds.height > r.size.height) ctx.addIssue({ code: 'custom', path: ['areas', i, 'bounds'], message: 'out of the menu' })
    })
  })
export type FakeRichMenuRequest = z.infer<typeof requestSchema>

export interface FakeRichMenu {
  richMenuId: string
  request: FakeRichMenuRequest
  image?: { type: string; bytes: Uint8Array }
}

const MAX_IMAGE_BYTES = 1024 * 1024

export class FakeRichMenus {
  readonly menus = new Map<string, FakeRichMenu>()
  defaultId: string | undefined
  readonly perUser = new Map<string, string>()

  /** The menu a user sees: their own, else the default (only menus with an image are ever set). */
  menuFor(userId: string): FakeRichMenu | undefined {
    const id = this.perUser.get(userId) ?? this.defaultId
    return id ? this.menus.get(id) : undefined
  }

  mount(app: Hono): void {
    const notFound = { message: 'Not found' }
    app.post('/v2/bot/richmenu', async (c) => {
      const parsed = requestSchema.safeParse(await c.req.json().catch(() => null))
      if (!parsed.success) return c.json({ message: 'The request body has 1 error(s)', details: parsed.error.issues.map((i) => ({ message: i.message, property: i.path.join('.') })) }, 400)
      const richMenuId = `richmenu-${crypto.randomUUID().replace(/-/g, '')}`
      this.menus.set(richMenuId, { richMenuId, request: parsed.data })
      return c.json({ richMenuId })
    })
    app.post('/v2/bot/richmenu/:id/content', async (c) => {
      const menu = this.menus.get(c.req.param('id'))
      if (!menu) return c.json(notFound, 404)
      const type = c.req.header('content-type') ?? ''
      if (!/^image\/(png|jpeg)$/.test(type)) return c.json({ message: 'Unsupported content type' }, 415)
      if (menu.image) return c.json({ message: 'An image has already been uploaded to the richmenu' }, 400)
      const bytes = new Uint8Array(await c.req.arrayBuffer())
      if (bytes.length > MAX_IMAGE_BYTES) return c.json({ message: 'Request Entity Too Large' }, 413)
      menu.image = { type, bytes }
      return c.json({})
    })
    app.get('/v2/bot/richmenu/list', (c) => c.json({ richmenus: [...this.menus.values()].map((m) => ({ richMenuId: m.richMenuId, ...m.request })) }))
    app.get('/v2/bot/richmenu/:id/content', (c) => {
      const image = this.menus.get(c.req.param('id'))?.image
      return image ? c.body(image.bytes.slice().buffer, 200, { 'content-type': image.type }) : c.json(notFound, 404)
    })
    app.delete('/v2/bot/richmenu/:id', (c) => {
      const id = c.req.param('id')
      if (!this.menus.delete(id)) return c.json(notFound, 404)
      if (this.defaultId === id) this.defaultId = undefined
      for (const [user, menu] of this.perUser) if (menu === id) this.perUser.delete(user)
      return c.json({})
    })
    const usable = (id: string) => {
      const menu = this.menus.get(id)
      if (!menu) return { status: 404 as const, body: notFound }
      if (!menu.image) return { status: 400 as const, body: { message: 'An image has not been uploaded to the richmenu' } }
      return undefined
    }
    app.post('/v2/bot/user/all/richmenu/:id', (c) => {
      const problem = usable(c.req.param('id'))
      if (problem) return c.json(problem.body, problem.status)
      this.defaultId = c.req.param('id')
      return c.json({})
    })
    app.get('/v2/bot/user/all/richmenu', (c) => (this.defaultId ? c.json({ richMenuId: this.defaultId }) : c.json({ message: 'no default rich menu' }, 404)))
    app.post('/v2/bot/user/:userId/richmenu/:id', (c) => {
      const problem = usable(c.req.param('id'))
      if (problem) return c.json(problem.body, problem.status)
      this.perUser.set(c.req.param('userId'), c.req.param('id'))
      return c.json({})
    })
    app.delete('/v2/bot/user/:userId/richmenu', (c) => {
      this.perUser.delete(c.req.param('userId'))
      return c.json({})
    })
  }
}
