import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import { dummyHash, hashPassword, verifyPassword } from './password.js'

export type StaffRole = 'consultant' | 'pmo'

/** The signed-in person, as every console page sees them. */
export interface Staff {
  id: string
  username: string
  displayName: string
  role: StaffRole
  regions: string[]
  industries: string[]
}

export interface Session {
  staff: Staff
  csrfToken: string
}

/** Hono variables set by `sessionMiddleware`. */
export type ConsoleEnv = { Variables: { session: Session | undefined } }

export const SESSION_COOKIE = 'dx_session'
const SESSION_DAYS = 7
/** Form field (and header) carrying the session's CSRF token. */
export const CSRF_FIELD = '_csrf'
export const CSRF_HEADER = 'x-csrf-token'

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const token = () => randomBytes(32).toString('base64url')

interface StaffRow {
  id: string
  username: string
  display_name: string
  role: StaffRole
  regions: string[]
  industries: string[]
  password_hash: string
  active: boolean
}

export function toStaff(r: StaffRow): Staff {
  return { id: r.id, username: r.username, displayName: r.display_name, role: r.role, regions: r.regions, industries: r.industries }
}

export const normalizeUsername = (u: string) => u.trim().toLowerCase()

export interface NewStaff {
  username: string
  displayName: string
  role: StaffRole
  password: string
  regions?: string[]
  industries?: string[]
}

export class UsernameTaken extends Error {
  override name = 'UsernameTaken'
}

export async function createStaff(db: Db, input: NewStaff): Promise<Staff> {
  const id = crypto.randomUUID()
  const hash = await hashPassword(input.password)
  const result = await db.execute(sql`
    INSERT INTO staff (id, username, display_name, role, password_hash, regions, industries)
    VALUES (${id}, ${normalizeUsername(input.username)}, ${input.displayName}, ${input.role}, ${hash},
      ${JSON.stringify(input.regions ?? [])}::jsonb, ${JSON.stringify(input.industries ?? [])}::jsonb)
    ON CONFLICT (username) DO NOTHING
    RETURNING id, username, display_name, role, regions, industries, password_hash, active`)
  const row = rowsOf<StaffRow>(result)[0]
  if (!row) throw new UsernameTaken(input.username)
  return toStaff(row)
}

export async function setPassword(db: Db, staffId: string, password: string): Promise<void> {
  await db.execute(sql`UPDATE staff SET password_hash = ${await hashPassword(password)} WHERE id = ${staffId}`)
  // A changed password signs the account out everywhere.
  await db.execute(sql`DELETE FROM staff_sessions WHERE staff_id = ${staffId}`)
}

export async function countPmo(db: Db): Promise<number> {
  return rowsOf<{ n: number }>(await db.execute(sql`SELECT count(*) AS n FROM staff WHERE role = 'pmo' AND active`))[0]!.n
}

/** Checks a login; the same work is done whether or not the account exists. */
export async function authenticate(db: Db, username: string, password: string): Promise<Staff | undefined> {
  const row = rowsOf<StaffRow>(
    await db.execute(sql`SELECT id, username, display_name, role, regions, industries, password_hash, active FROM staff WHERE username = ${normalizeUsername(username)}`),
  )[0]
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()))
  if (!row || !ok || !row.active) return undefined
  await db.execute(sql`UPDATE staff SET last_login_at = now() WHERE id = ${row.id}`)
  return toStaff(row)
}

/** Starts a session; returns the cookie token (only its hash is stored). */
export async function createSession(db: Db, staffId: string, now = new Date()): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const t = token()
  const csrfToken = token()
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000)
  await db.execute(sql`INSERT INTO staff_sessions (token_hash, staff_id, csrf_token, expires_at) VALUES (${sha256(t)}, ${staffId}, ${csrfToken}, ${expiresAt.toISOString()}::timestamptz)`)
  return { token: t, csrfToken, expiresAt }
}

export async function findSession(db: Db, cookieToken: string, now = new Date()): Promise<Session | undefined> {
  const row = rowsOf<StaffRow & { csrf_token: string }>(
    await db.execute(sql`
      SELECT s.id, s.username, s.display_name, s.role, s.regions, s.industries, s.password_hash, s.active, ss.csrf_token
      FROM staff_sessions ss JOIN staff s ON s.id = ss.staff_id
      WHERE ss.token_hash = ${sha256(cookieToken)} AND ss.expires_at > ${now.toISOString()}::timestamptz AND s.active`),
  )[0]
  return row ? { staff: toStaff(row), csrfToken: row.csrf_token } : undefined
}

export async function deleteSession(db: Db, cookieToken: string): Promise<void> {
  await db.execute(sql`DELETE FROM staff_sessions WHERE token_hash = ${sha256(cookieToken)}`)
}

/** Cookies are Secure whenever the console is reached over HTTPS (directly or behind a proxy). */
export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
}

export function setSessionCookie(c: Context, value: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, value, { httpOnly: true, secure: isHttps(c), sameSite: 'Lax', path: '/console', expires: expiresAt })
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console', secure: isHttps(c) })
}

/** Loads the session (if any) for every console request. */
export function sessionMiddleware(db: Db): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const cookie = getCookie(c, SESSION_COOKIE)
    c.set('session', cookie ? await findSession(db, cookie) : undefined)
    await next()
  }
}

/**
 * Pages behind a login: no session → the login page (or 401 for API calls); wrong role → 403.
 * Unsafe methods must carry the session's CSRF token (form field `_csrf` or header `x-csrf-token`).
 */
export function requireStaff(role?: StaffRole): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = c.get('session')
    if (!session) {
      if (c.req.method === 'GET' && !wantsJson(c)) return c.redirect(`/console/login?next=${encodeURIComponent(c.req.path)}`)
      return c.json({ error: '請先登入' }, 401)
    }
    if (role && session.staff.role !== role) return c.text('您沒有權限檢視此頁面', 403)
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) && !(await csrfValid(c, session.csrfToken))) {
      return c.text('表單已過期或來源不明，請重新整理頁面後再試（CSRF）', 403)
    }
    await next()
  }
}

function wantsJson(c: Context): boolean {
  return (c.req.header('accept') ?? '').includes('application/json')
}

async function csrfValid(c: Context, expected: string): Promise<boolean> {
  let sent = c.req.header(CSRF_HEADER)
  if (!sent) {
    const type = c.req.header('content-type') ?? ''
    if (type.includes('form')) {
      // parseBody caches, so handlers can read the form again.
      const body = await c.req.parseBody({ all: true })
      const v = body[CSRF_FIELD]
      sent = typeof v === 'string' ? v : undefined
    }
  }
  if (!sent) return false
  const a = Buffer.from(sent)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function currentStaff(c: Context<ConsoleEnv>): Staff {
  const s = c.get('session')
  if (!s) throw new Error('requireStaff() must run first')
  return s.staff
}

/** Appends to the audit log; every console action calls this. */
export async function audit(db: Db, staffId: string | null, action: string, target: string | null, detail: Record<string, unknown> = {}): Promise<void> {
  await db.execute(sql`INSERT INTO audit_log (staff_id, action, target, detail) VALUES (${staffId}, ${action}, ${target}, ${JSON.stringify(detail)}::jsonb)`)
}

/** Constant-time comparison for the ADMIN_TOKEN. */
export function tokenMatches(given: string, expected: string | undefined): boolean {
  if (!expected) return false
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}
