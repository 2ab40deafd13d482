import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { and, count, eq, gt, sql } from 'drizzle-orm'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { auditLog, staff, staffSessions } from '../db/schema.js'
import type { Db } from '../db/types.js'
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

/** The columns a {@link Staff} is made of. */
const staffColumns = { id: staff.id, username: staff.username, displayName: staff.displayName, role: staff.role, regions: staff.regions, industries: staff.industries }

export function toStaff(r: Pick<typeof staff.$inferSelect, keyof Staff>): Staff {
  return { id: r.id, username: r.username, displayName: r.displayName, role: r.role, regions: r.regions, industries: r.industries }
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
  const [row] = await db
    .insert(staff)
    .values({
      id,
      username: normalizeUsername(input.username),
      displayName: input.displayName,
      role: input.role,
      passwordHash: hash,
      regions: input.regions ?? [],
      industries: input.industries ?? [],
    })
    .onConflictDoNothing({ target: staff.username })
    .returning(staffColumns)
  if (!row) throw new UsernameTaken(input.username)
  return toStaff(row)
}

export async function setPassword(db: Db, staffId: string, password: string): Promise<void> {
  await db
    .update(staff)
    .set({ passwordHash: await hashPassword(password) })
    .where(eq(staff.id, staffId))
  // A changed password signs the account out everywhere.
  await db.delete(staffSessions).where(eq(staffSessions.staffId, staffId))
}

export async function countPmo(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(staff)
    .where(and(eq(staff.role, 'pmo'), eq(staff.active, true)))
  return row!.n
}

/** Checks a login; the same work is done whether or not the account exists. */
export async function authenticate(db: Db, username: string, password: string): Promise<Staff | undefined> {
  const [row] = await db
    .select({ ...staffColumns, passwordHash: staff.passwordHash, active: staff.active })
    .from(staff)
    .where(eq(staff.username, normalizeUsername(username)))
  const ok = await verifyPassword(password, row?.passwordHash ?? (await dummyHash()))
  if (!row || !ok || !row.active) return undefined
  await db
    .update(staff)
    .set({ lastLoginAt: sql`now()` })
    .where(eq(staff.id, row.id))
  return toStaff(row)
}

/** Starts a session; returns the cookie token (only its hash is stored). */
export async function createSession(db: Db, staffId: string, now = new Date()): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const t = token()
  const csrfToken = token()
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000)
  await db.insert(staffSessions).values({ tokenHash: sha256(t), staffId, csrfToken, expiresAt })
  return { token: t, csrfToken, expiresAt }
}

export async function findSession(db: Db, cookieToken: string, now = new Date()): Promise<Session | undefined> {
  const [row] = await db
    .select({ ...staffColumns, csrfToken: staffSessions.csrfToken })
    .from(staffSessions)
    .innerJoin(staff, eq(staff.id, staffSessions.staffId))
    .where(and(eq(staffSessions.tokenHash, sha256(cookieToken)), gt(staffSessions.expiresAt, now), eq(staff.active, true)))
  return row ? { staff: toStaff(row), csrfToken: row.csrfToken } : undefined
}

export async function deleteSession(db: Db, cookieToken: string): Promise<void> {
  await db.delete(staffSessions).where(eq(staffSessions.tokenHash, sha256(cookieToken)))
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
  await db.insert(auditLog).values({ staffId, action, target, detail })
}

/** Constant-time comparison for the ADMIN_TOKEN. */
export function tokenMatches(given: string, expected: string | undefined): boolean {
  if (!expected) return false
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}
