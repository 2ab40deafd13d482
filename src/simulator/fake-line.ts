import { Hono } from 'hono'
import { z } from 'zod'
import { FakeRichMenus } from './fake-line-richmenu.js'

/**
 * A fake of the LINE Messaging API endpoints the bot uses, speaking LINE's protocol (paths, bearer
 * auth, reply-token rules, X-Line-Retry-Key, error bodies). The simulator page reads what it
 * received; tests run it on a real socket and inject faults.
 */

export interface Delivery {
  seq: number
  chatId: string
  via: 'reply' | 'push'
  messages: Record<string, unknown>[]
  retryKey?: string
  at: number
}

export interface InjectedFault {
  path?: string
  status: number
  headers?: Record<string, string>
  body?: unknown
}

const messagesSchema = z.array(z.looseObject({ type: z.string() })).min(1).max(5)
const replySchema = z.object({ replyToken: z.string(), messages: messagesSchema, notificationDisabled: z.boolean().optional() })
const pushSchema = z.object({ to: z.string(), messages: messagesSchema, notificationDisabled: z.boolean().optional() })
const multicastSchema = z.object({ to: z.array(z.string().min(1)).min(1).max(500), messages: messagesSchema, notificationDisabled: z.boolean().optional() })
const loadingSchema = z.object({ chatId: z.string(), loadingSeconds: z.number().int().min(5).max(60).multipleOf(5).optional() })

export class FakeLineApi {
  readonly deliveries: Delivery[] = []
  readonly loading: { chatId: string; seconds: number; at: number }[] = []
  /** Every request received, including rejected ones, for assertions. */
  readonly requests: { path: string; status: number; retryKey?: string }[] = []
  private readonly tokens = new Map<string, { chatId: string; expiresAt: number; used: boolean }>()
  private readonly acceptedRetryKeys = new Set<string>()
  private readonly faults: InjectedFault[] = []
  private seq = 0
  /**
   * The month's push quota; pushes count against it, replies do not. `null` (the default, so load
   * tests never hit it) answers like LINE's "none" type: no limit. Tests set a number.
   */
  quotaLimit: number | null = null
  /** Messages pushed this month (LINE counts each message of a push to each recipient). */
  quotaUsed = 0
  /** How long the fake takes to accept a multicast (benches: a send can be cut off mid-call). */
  multicastDelayMs = 0
  /** Each multicast accepted: its recipients and retry key. */
  readonly multicasts: { to: string[]; retryKey?: string; at: number }[] = []
  /** Rich menus created, their images, the default and per-user ones. */
  readonly richMenus = new FakeRichMenus()
  readonly app = new Hono()

  constructor(
    readonly accessToken: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.app.use('*', async (c, next) => {
      if (c.req.header('authorization') !== `Bearer ${this.accessToken}`) {
        this.requests.push({ path: c.req.path, status: 401 })
        return c.json({ message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' }, 401)
      }
      const fault = this.takeFault(c.req.path)
      if (fault) {
        this.requests.push({ path: c.req.path, status: fault.status, retryKey: c.req.header('x-line-retry-key') })
        return c.json((fault.body ?? { message: 'injected fault' }) as object, fault.status as 400, fault.headers)
      }
      await next()
      this.requests.push({ path: c.req.path, status: c.res.status, retryKey: c.req.header('x-line-retry-key') })
    })

    this.app.post('/v2/bot/message/reply', async (c) => {
      const body = replySchema.safeParse(await c.req.json().catch(() => null))
      if (!body.success) return c.json({ message: 'The request body has 1 error(s)', details: body.error.issues.map((i) => ({ message: i.message, property: i.path.join('.') })) }, 400)
      const tooLong = textTooLong(body.data.messages)
      if (tooLong) return c.json({ message: 'The request body has 1 error(s)', details: [{ message: 'Length must be between 0 and 5000', property: tooLong }] }, 400)
      const token = this.tokens.get(body.data.replyToken)
      if (!token || token.used || token.expiresAt < this.clock()) return c.json({ message: 'Invalid reply token' }, 400)
      token.used = true
      this.record(token.chatId, 'reply', body.data.messages)
      return c.json({ sentMessages: body.data.messages.map((_, i) => ({ id: String(this.seq * 10 + i), quoteToken: 'q' })) })
    })

    this.app.post('/v2/bot/message/push', async (c) => {
      const retryKey = c.req.header('x-line-retry-key')
      if (retryKey !== undefined && !z.uuid().safeParse(retryKey).success) return c.json({ message: 'The value for the \'X-Line-Retry-Key\' header is invalid' }, 400)
      if (retryKey && this.acceptedRetryKeys.has(retryKey)) {
        return c.json({ message: 'The retry key is already accepted', sentMessages: [] }, 409, { 'x-line-accepted-request-id': retryKey })
      }
      const body = pushSchema.safeParse(await c.req.json().catch(() => null))
      if (!body.success) return c.json({ message: 'The request body has 1 error(s)' }, 400)
      const tooLong = textTooLong(body.data.messages)
      if (tooLong) return c.json({ message: 'The request body has 1 error(s)', details: [{ message: 'Length must be between 0 and 5000', property: tooLong }] }, 400)
      if (this.quotaLimit !== null && this.quotaUsed + body.data.messages.length > this.quotaLimit) {
        return c.json({ message: 'You have reached your monthly limit.' }, 429)
      }
      if (retryKey) this.acceptedRetryKeys.add(retryKey)
      this.quotaUsed += body.data.messages.length
      this.record(body.data.to, 'push', body.data.messages, retryKey)
      return c.json({ sentMessages: body.data.messages.map((_, i) => ({ id: String(this.seq * 10 + i), quoteToken: 'q' })) })
    })

    this.richMenus.mount(this.app)

    // Multicast: up to 500 users, each message to each user counted against the month's quota; the
    // whole request is refused (429) when it would exceed it. A retry key is honoured as for push.
    this.app.post('/v2/bot/message/multicast', async (c) => {
      const retryKey = c.req.header('x-line-retry-key')
      if (retryKey !== undefined && !z.uuid().safeParse(retryKey).success) return c.json({ message: 'The value for the \'X-Line-Retry-Key\' header is invalid' }, 400)
      if (retryKey && this.acceptedRetryKeys.has(retryKey)) return c.json({ message: 'The retry key is already accepted' }, 409, { 'x-line-accepted-request-id': retryKey })
      const body = multicastSchema.safeParse(await c.req.json().catch(() => null))
      if (!body.success) return c.json({ message: 'The request body has 1 error(s)', details: body.error.issues.map((i) => ({ message: i.message, property: i.path.join('.') })) }, 400)
      if (this.multicastDelayMs > 0) await new Promise((r) => setTimeout(r, this.multicastDelayMs))
      // Checked again after the wait: a retry may have arrived meanwhile.
      if (retryKey && this.acceptedRetryKeys.has(retryKey)) return c.json({ message: 'The retry key is already accepted' }, 409, { 'x-line-accepted-request-id': retryKey })
      const cost = body.data.to.length * body.data.messages.length
      if (this.quotaLimit !== null && this.quotaUsed + cost > this.quotaLimit) return c.json({ message: 'You have reached your monthly limit.' }, 429)
      if (retryKey) this.acceptedRetryKeys.add(retryKey)
      this.quotaUsed += cost
      this.multicasts.push({ to: body.data.to, retryKey, at: this.clock() })
      for (const to of body.data.to) this.record(to, 'push', body.data.messages, retryKey)
      return c.json({})
    })

    this.app.get('/v2/bot/message/quota', (c) => c.json(this.quotaLimit === null ? { type: 'none' } : { type: 'limited', value: this.quotaLimit }))
    this.app.get('/v2/bot/message/quota/consumption', (c) => c.json({ totalUsage: this.quotaUsed }))

    this.app.post('/v2/bot/chat/loading/start', async (c) => {
      const body = loadingSchema.safeParse(await c.req.json().catch(() => null))
      if (!body.success) return c.json({ message: 'The request body has 1 error(s)' }, 400)
      this.loading.push({ chatId: body.data.chatId, seconds: body.data.loadingSeconds ?? 20, at: this.clock() })
      return c.json({}, 202)
    })
  }

  /** A reply token for an event the simulator or a test is about to send (valid about a minute, once). */
  issueReplyToken(chatId: string, ttlMs = 60_000): string {
    const token = crypto.randomUUID().replace(/-/g, '')
    this.tokens.set(token, { chatId, expiresAt: this.clock() + ttlMs, used: false })
    return token
  }

  /** The next `count` requests (to `path`, if given) fail with this response. */
  failNext(fault: InjectedFault, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push(fault)
  }

  deliveriesFor(chatId: string, afterSeq = 0): Delivery[] {
    return this.deliveries.filter((d) => d.chatId === chatId && d.seq > afterSeq)
  }

  /** All messages a chat received, flattened, in order. */
  messagesFor(chatId: string): Record<string, unknown>[] {
    return this.deliveriesFor(chatId).flatMap((d) => d.messages)
  }

  private takeFault(path: string): InjectedFault | undefined {
    const i = this.faults.findIndex((f) => !f.path || path.endsWith(f.path))
    return i === -1 ? undefined : this.faults.splice(i, 1)[0]
  }

  private record(chatId: string, via: 'reply' | 'push', messages: Record<string, unknown>[], retryKey?: string): void {
    this.deliveries.push({ seq: ++this.seq, chatId, via, messages, retryKey, at: this.clock() })
  }
}

function textTooLong(messages: Record<string, unknown>[]): string | undefined {
  const i = messages.findIndex((m) => m.type === 'text' && typeof m.text === 'string' && Array.from(m.text).length > 5000)
  return i === -1 ? undefined : `messages[${i}].text`
}
