import { and, eq, ne, sql } from 'drizzle-orm'
import { cases } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { rowsOf, type RawRow } from '../db/types.js'
import type { LineApi } from '../line/client.js'
import { deliverDue, enqueueOutbox } from '../line/outbox.js'
import type { Logger } from '../log.js'
import { repeatEvery } from '../repeat.js'
import { defaultRetryPolicy, HttpStatusError, withRetry, type RetryPolicy } from '../retry.js'
import { describeTime } from './hours.js'
import type { HandoffSettings } from './settings.js'
import type { RichMenuApi } from '../line/richmenu-client.js'
import { HANDOFF_MENU_NAME } from '../outreach/richmenu.js'
import type { Case, CaseIntake, CaseReason } from './state.js'

/**
 * Tells consultants about new cases and re-tells them about overdue ones: a LINE push to their group
 * (through the outbox, so it is retried and sent once) and/or a JSON POST to a webhook URL.
 *
 * The cases table is the queue: `notified_at` / `overdue_notified_at` are set when a case is claimed,
 * atomically, so several instances never notify the same case twice. A webhook POST that keeps failing
 * after its retries is logged; an unanswered case is announced again when it becomes overdue.
 */

export interface NotifyDeps {
  db: Db
  settings: HandoffSettings
  log: Logger
  /** Needed for the LINE group push; without it only the webhook is used. */
  line?: LineApi
  /** Switches a user's rich menu to the one with 結束真人服務 while their case is open (none: no switching). */
  richMenus?: RichMenuApi
  fetch?: typeof fetch
  now?: () => Date
  /** How a failed webhook POST is tried again (default: 4 tries over about 10 s). */
  webhookRetry?: RetryPolicy
}

export type NoticeKind = 'case.opened' | 'case.overdue'

/** The JSON body POSTed to notify.webhook_url. `text` is ready to show (Slack and Teams accept it as is). */
export interface CaseNotice {
  type: NoticeKind
  case: { id: number; reason: CaseReason; intake: CaseIntake; assignee: string | null; openedAt: string | null; dueAt: string | null }
  text: string
}

const REASONS: Record<CaseReason, string> = { asked: '使用者要求', unanswered: '小幫手答不出來', unhappy: '使用者不滿意', assessment: '數位健檢後諮詢' }
const WEBHOOK_TIMEOUT_MS = 10_000
const WEBHOOK_RETRY: RetryPolicy = { ...defaultRetryPolicy, baseDelayMs: 1000, maxDelayMs: 15_000 }

type ClaimedRow = RawRow<Pick<Case, 'id' | 'openedAt' | 'dueAt'>> & { reason: CaseReason; intake: CaseIntake; assignee: string | null }

function iso(v: Date | string | null): string | null {
  return v === null ? null : new Date(v).toISOString()
}

export function noticeOf(kind: NoticeKind, row: ClaimedRow, settings: HandoffSettings, now: Date): CaseNotice {
  const { id, intake } = row
  const due = row.due_at ? describeTime(new Date(row.due_at), now, settings.office_hours.timezone) : '—'
  const text = [
    kind === 'case.opened' ? `🆕 新的真人服務案件 #${id}` : `⏰ 案件 #${id} 已超過回覆期限，還沒有顧問回覆`,
    `原因：${REASONS[row.reason] ?? row.reason}`,
    `公司：${intake.company ?? '（未提供）'}`,
    `方便聯絡：${intake.contactTime ?? '（未提供）'}`,
    `問題：${intake.question ?? '（未提供）'}`,
    `負責顧問：${row.assignee ?? '尚未指派'}`,
    `回覆期限：${due}`,
  ].join('\n')
  return { type: kind, case: { id, reason: row.reason, intake, assignee: row.assignee, openedAt: iso(row.opened_at), dueAt: iso(row.due_at) }, text }
}

/** Claims open cases nobody has been told about yet. */
async function claimNew(db: Db, now: Date): Promise<ClaimedRow[]> {
  return rowsOf<ClaimedRow>(
    await db.execute(sql`
      WITH claimed AS (
        UPDATE cases SET notified_at = ${now.toISOString()}::timestamptz
        WHERE id IN (SELECT id FROM cases WHERE status = 'open' AND notified_at IS NULL ORDER BY id LIMIT 20 FOR UPDATE SKIP LOCKED)
        RETURNING id, reason, intake, assignee_id, opened_at, due_at)
      SELECT c.id, c.reason, c.intake, s.display_name AS assignee, c.opened_at, c.due_at
      FROM claimed c LEFT JOIN staff s ON s.id = c.assignee_id ORDER BY c.id`),
  )
}

/** Claims open cases past their due time with no consultant reply, at most once per re-notify period. */
async function claimOverdue(db: Db, now: Date, renotifyMinutes: number): Promise<ClaimedRow[]> {
  const at = now.toISOString()
  return rowsOf<ClaimedRow>(
    await db.execute(sql`
      WITH claimed AS (
        UPDATE cases SET overdue_notified_at = ${at}::timestamptz
        WHERE id IN (
          SELECT id FROM cases
          WHERE status = 'open' AND due_at < ${at}::timestamptz AND first_response_at IS NULL AND last_staff_message_at IS NULL
            AND (overdue_notified_at IS NULL OR overdue_notified_at <= ${at}::timestamptz - make_interval(mins => ${renotifyMinutes}))
          ORDER BY due_at LIMIT 20 FOR UPDATE SKIP LOCKED)
        RETURNING id, reason, intake, assignee_id, opened_at, due_at)
      SELECT c.id, c.reason, c.intake, s.display_name AS assignee, c.opened_at, c.due_at
      FROM claimed c LEFT JOIN staff s ON s.id = c.assignee_id ORDER BY c.id`),
  )
}

/**
 * POSTs a notice; 429, 5xx and network failures are tried again (Retry-After honoured), so a
 * receiver's brief outage does not lose it. A notice that still fails is logged.
 */
async function postWebhook(deps: NotifyDeps, url: string, notice: CaseNotice): Promise<void> {
  const post = async () => {
    const response = await (deps.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(notice),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    })
    // Read the body so the connection is released before a retry.
    await response.arrayBuffer().catch(() => undefined)
    if (!response.ok) throw new HttpStatusError(response.status, response.headers)
  }
  try {
    await withRetry(post, deps.webhookRetry ?? WEBHOOK_RETRY)
  } catch (error) {
    deps.log.error('handoff webhook failed', { case: notice.case.id, type: notice.type, error: String(error) })
  }
}

async function announce(deps: NotifyDeps, notices: CaseNotice[]): Promise<void> {
  const { lineGroupId, webhookUrl } = deps.settings.notify
  if (lineGroupId && deps.line && notices.length > 0) {
    const ids: number[] = []
    for (const n of notices) ids.push(...(await enqueueOutbox(deps.db, { to: lineGroupId, messages: [{ type: 'text', text: n.text }] })))
    await deliverDue(deps.db, deps.line, { ids })
  }
  if (webhookUrl) await Promise.all(notices.map((n) => postWebhook(deps, webhookUrl, n)))
}

/** New cases: announced once, as soon as they open. */
export async function notifyNewCases(deps: NotifyDeps): Promise<number> {
  const now = deps.now?.() ?? new Date()
  const rows = await claimNew(deps.db, now)
  await announce(deps, rows.map((r) => noticeOf('case.opened', r, deps.settings, now)))
  return rows.length
}

/** Overdue cases (past due_at, no consultant reply yet): flagged and announced again once per period. */
export async function sweepOverdueCases(deps: NotifyDeps): Promise<number> {
  const now = deps.now?.() ?? new Date()
  const rows = await claimOverdue(deps.db, now, deps.settings.overdue.renotify_every_minutes)
  await announce(deps, rows.map((r) => noticeOf('case.overdue', r, deps.settings, now)))
  return rows.length
}

/** The channel's menu for consultant chats, by its name, looked up at most every five minutes. */
const menuIds = new WeakMap<RichMenuApi, { id: string | undefined; at: number }>()
async function handoffMenuId(api: RichMenuApi): Promise<string | undefined> {
  const cached = menuIds.get(api)
  if (cached && Date.now() - cached.at < 300_000) return cached.id
  const id = (await api.list()).find((m) => m.name === HANDOFF_MENU_NAME)?.richMenuId
  menuIds.set(api, { id, at: Date.now() })
  return id
}

/**
 * Keeps each user's rich menu in step with their case: the menu with 結束真人服務 while a case is
 * open, the default again once it is resolved (by the user or a consultant). A row is claimed before
 * LINE is called and given back if the call fails, so each switch happens once across instances and
 * is retried on the next sweep. A user with another open case keeps the consultant menu.
 */
export async function syncCaseMenus(deps: NotifyDeps): Promise<number> {
  const api = deps.richMenus
  if (!api) return 0
  // Most sweeps have no menu to switch: LINE is asked for the menu's id only when one has.
  const pending = rowsOf<{ any: boolean }>(
    await deps.db.execute(sql`SELECT EXISTS (SELECT 1 FROM cases WHERE (status = 'open' AND NOT menu_linked AND user_id <> 'deleted')
      OR (status = 'resolved' AND menu_linked AND user_id <> 'deleted')) AS any`),
  )[0]
  if (!pending?.any) return 0
  const menuId = await handoffMenuId(api)
  if (!menuId) return 0
  let switched = 0
  const back = rowsOf<RawRow<Pick<Case, 'id' | 'userId'>> & { other_open: boolean }>(
    await deps.db.execute(sql`UPDATE cases c SET menu_linked = false WHERE c.status = 'resolved' AND c.menu_linked AND c.user_id <> 'deleted'
      RETURNING c.id, c.user_id, EXISTS (SELECT 1 FROM cases o WHERE o.user_id = c.user_id AND o.status = 'open') AS other_open`),
  )
  for (const r of back) {
    if (r.other_open) continue
    try {
      await api.unlinkFromUser(r.user_id)
      switched++
    } catch (error) {
      await deps.db.update(cases).set({ menuLinked: true }).where(eq(cases.id, r.id))
      deps.log.warn('rich menu switch back failed; retried on the next sweep', { case: r.id, error: String(error) })
    }
  }
  const open = await deps.db
    .update(cases)
    .set({ menuLinked: true })
    .where(and(eq(cases.status, 'open'), eq(cases.menuLinked, false), ne(cases.userId, 'deleted')))
    .returning({ id: cases.id, userId: cases.userId })
  for (const r of open) {
    try {
      await api.linkToUser(r.userId, menuId)
      switched++
    } catch (error) {
      await deps.db.update(cases).set({ menuLinked: false }).where(eq(cases.id, r.id))
      deps.log.warn('rich menu switch failed; retried on the next sweep', { case: r.id, error: String(error) })
    }
  }
  return switched
}

/** All three, for the Node timer and the Workers cron; failures are logged, never thrown. */
export async function runHandoffSweep(deps: NotifyDeps): Promise<void> {
  try {
    const opened = await notifyNewCases(deps)
    const overdue = await sweepOverdueCases(deps)
    const menus = await syncCaseMenus(deps)
    if (opened + overdue + menus > 0) deps.log.info('handoff notifications', { opened, overdue, menus })
  } catch (error) {
    deps.log.error('handoff sweep failed', { error: String(error) })
  }
}

/** The Node timer: sweeps every `intervalMs` and on kick (a case just opened or ended); stop() waits for a sweep in progress. */
export function startHandoffSweeper(deps: NotifyDeps, intervalMs: number): { kick(): void; stop(): Promise<void> } {
  return repeatEvery(() => runHandoffSweep(deps), intervalMs)
}
