import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { currentStaff, requireStaff, type ConsoleEnv } from '../console/auth.js'
import type { ConsoleDeps } from '../console/deps.js'
import { cannedReplies } from './canned.js'
import { addNote, assignCase, CaseActionError, NOTE_MAX_CHARS, REPLY_MAX_CHARS, replyToCase, resolveCase, retryDelivery } from './case-actions.js'
import { canSeeTab, canView, findAssignTarget, findCase, INBOX_TABS, listAssignees, listInbox, listRecentlyResolved, loadContext, loadThread, type CaseRow, type InboxTab } from './cases.js'
import { CasePage, statusLabel } from './case-page.js'
import { Thread } from './thread-view.js'
import { InboxPage, RefusedPage } from './inbox-page.js'
import { createSummarizer } from './summary.js'

/**
 * The consultant console under /console: inbox, case page with its live thread, and the actions
 * (reply, retry, note, assign, resolve). Every action is a POST with the session's CSRF token,
 * answered with a redirect back to the case (Post/Redirect/Get).
 */
export function caseConsoleRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const { db } = deps
  const now = () => deps.now?.() ?? new Date()
  const summarizer = createSummarizer(deps.model, deps.assessment, deps.texts.caseSummaryPrompt)
  const app = new Hono<ConsoleEnv>()
  app.use('/cases', requireStaff())
  app.use('/cases/*', requireStaff())

  app.get('/cases', async (c) => {
    const staff = currentStaff(c)
    const tab = (INBOX_TABS as string[]).includes(c.req.query('tab') ?? '') ? (c.req.query('tab') as InboxTab) : 'unassigned'
    if (!canSeeTab(staff, tab)) return refuse(c, '只有 PMO 可以檢視全部案件', 403)
    const [rows, resolved] = await Promise.all([listInbox(db, staff, tab), tab === 'all' ? listRecentlyResolved(db, now()) : Promise.resolve([])])
    return c.html(<InboxPage session={c.get('session')!} tab={tab} rows={rows} resolved={resolved} now={now()} />)
  })

  /** The case, if it exists and this person may see it; otherwise the response to send. */
  async function visibleCase(c: Context<ConsoleEnv>): Promise<CaseRow | Response> {
    const id = Number(c.req.param('id'))
    const found = Number.isSafeInteger(id) && id > 0 ? await findCase(db, id) : undefined
    if (!found) return refuse(c, '找不到這個案件', 404)
    if (!canView(currentStaff(c), found)) return refuse(c, '這個案件已指派給其他顧問，您沒有權限檢視', 403)
    return found
  }

  app.get('/cases/:id', async (c) => {
    const found = await visibleCase(c)
    if (found instanceof Response) return found
    const session = c.get('session')!
    const [ctx, thread, quota, canned, assignees] = await Promise.all([
      loadContext(db, found),
      loadThread(db, found.conversationId),
      withTimeout(deps.line.quota(), 3000).catch((error: unknown) => {
        deps.log.warn('message quota unavailable', { error: String(error) })
        return undefined
      }),
      cannedReplies(deps.handoff),
      listAssignees(db),
    ])
    const summary = await summarizer.summaryFor(db, found, ctx)
    return c.html(
      <CasePage
        session={session}
        c={found}
        ctx={ctx}
        summary={summary}
        thread={thread}
        quota={quota}
        canned={canned}
        assignees={assignees}
        assessment={deps.assessment}
        now={now()}
        flash={c.req.query('ok')}
        error={c.req.query('err')}
      />,
    )
  })

  // Polled by the case page every few seconds.
  app.get('/cases/:id/thread', async (c) => {
    const found = await visibleCase(c)
    if (found instanceof Response) return found
    const thread = await loadThread(db, found.conversationId)
    const html = String(await (<Thread session={c.get('session')!} c={found} thread={thread} />).toString())
    return c.json({ html, status: found.status, statusLabel: statusLabel(found.status) })
  })

  const bodySchema = (max: number) => z.object({ body: z.string().trim().min(1, '請輸入內容').max(max, `內容請在 ${max} 字以內`) })

  app.post('/cases/:id/reply', async (c) => {
    const found = await visibleCase(c)
    if (found instanceof Response) return found
    const parsed = bodySchema(REPLY_MAX_CHARS).safeParse(await c.req.parseBody())
    if (!parsed.success) return back(c, found.id, { err: parsed.error.issues[0]!.message })
    return act(c, found.id, async () => {
      const ids = await replyToCase(db, { caseId: found.id, staff: currentStaff(c), body: parsed.data.body, now: now() })
      await deliverSoon(ids)
      return '已送出回覆'
    })
  })

  app.post('/cases/:id/messages/:outboxId/retry', async (c) => {
    const found = await visibleCase(c)
    if (found instanceof Response) return found
    const outboxId = Number(c.req.param('outboxId'))
    if (!Number.isSafeInteger(outboxId)) return refuse(c, '找不到這則訊息', 404)
    return act(c, found.id, async () => {
      await deliverSoon(await retryDelivery(db, { caseId: found.id, outboxId, staff: currentStaff(c) }))
      return '已重新傳送'
    })
  })

  app.post('/cases/:id/notes', async (c) => {
    const found = await visibleCase(c)
    if (found instanceof Response) return found
    const parsed = bodySchema(NOTE_MAX_CHARS).safeParse(await c.req.parseBody())
    if (!parsed.success) return back(c, found.id, { err: parsed.error.issues[0]!.message })
    return act(c, found.id, async () => {
      await addNote(db, { caseId: found.id, staff: currentStaff(c), body: parsed.data.body })
      return '已儲存備註'
    })
  })

  app.post('/cases/:id/assign', async (c) => {
    const found = await visibleCase(c)
    if (found instanceof Response) return found
    const assignee = String((await c.req.parseBody()).assignee ?? '')
    const target = assignee === '' ? null : await findAssignTarget(db, assignee)
    if (target === undefined) return back(c, found.id, { err: '找不到這個帳號' })
    return act(c, found.id, async () => {
      await assignCase(db, { caseId: found.id, staff: currentStaff(c), target })
      return target ? '已更新負責顧問' : '已改為未指派'
    })
  })

  app.post('/cases/:id/resolve', async (c) => {
    const found = await visibleCase(c)
    if (found instanceof Response) return found
    return act(c, found.id, async () => {
      await deliverSoon(await resolveCase(db, { caseId: found.id, staff: currentStaff(c), now: now() }))
      return '已結案，使用者已回到小幫手'
    })
  })

  /**
   * Delivers right after commit, waiting briefly so the redirected page usually shows the outcome;
   * a slow LINE keeps going in the background (and the outbox poller picks up anything left).
   */
  async function deliverSoon(ids: number[]): Promise<void> {
    if (ids.length === 0) return
    const work = deps.deliver(ids)
    deps.background(work)
    await withTimeout(work, 3000).catch(() => undefined)
  }

  async function act(c: Context<ConsoleEnv>, caseId: number, action: () => Promise<string>): Promise<Response> {
    try {
      return back(c, caseId, { ok: await action() })
    } catch (error) {
      if (!(error instanceof CaseActionError)) throw error
      if (error.status === 403 || error.status === 404) return refuse(c, error.message, error.status)
      return back(c, caseId, { err: error.message })
    }
  }

  return app
}

function refuse(c: Context<ConsoleEnv>, message: string, status: 403 | 404): Response | Promise<Response> {
  return c.html(<RefusedPage session={c.get('session')} message={message} />, status)
}

function back(c: Context<ConsoleEnv>, caseId: number, flash: { ok?: string; err?: string }): Response {
  const q = flash.ok ? `ok=${encodeURIComponent(flash.ok)}` : `err=${encodeURIComponent(flash.err ?? '')}`
  return c.redirect(`/console/cases/${caseId}?${q}`, 303)
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer))
}
