import { secureHeaders } from 'hono/secure-headers'
import { bodyLimit } from 'hono/body-limit'
import { CONSOLE_ASSETS } from './assets.js'
import { clientAddress, recordFailure, waitSeconds, waitText } from './throttle.js'
import { Hono } from 'hono'
import { desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { auditLog, staff as staffTable, staffSessions } from '../db/schema.js'
import type { Db } from '../db/types.js'
import {
  audit,
  authenticate,
  clearSessionCookie,
  countPmo,
  createSession,
  createStaff,
  deleteSession,
  requireStaff,
  sessionMiddleware,
  setPassword,
  setSessionCookie,
  SESSION_COOKIE,
  tokenMatches,
  UsernameTaken,
  type ConsoleEnv,
} from './auth.js'
import { getCookie } from 'hono/cookie'
import { CsrfField, formatTime, Layout } from './layout.js'
import { MIN_PASSWORD_LENGTH } from './password.js'
import { caseConsoleRoutes } from '../handoff/console.js'
import { pmoRoutes } from '../pmo/routes.js'
import type { ConsoleDeps } from './deps.js'

export type { ConsoleDeps } from './deps.js'

/** What the consoles need from the composition root (Node or Workers). */

/** Console forms: the largest is a data file or a document (tens of KB); uploads are separate. */
export const CONSOLE_BODY_LIMIT = 2 * 1024 * 1024

const loginSchema = z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(200), next: z.string().optional() })
const staffSchema = z.object({
  username: z.string().trim().regex(/^[a-zA-Z0-9._-]{3,32}$/, '帳號限 3–32 個英數字、點、底線或連字號'),
  displayName: z.string().trim().min(1, '請填寫顯示名稱').max(40),
  role: z.enum(['consultant', 'pmo']),
  password: z.string().min(MIN_PASSWORD_LENGTH, `密碼至少 ${MIN_PASSWORD_LENGTH} 個字元`).max(200),
  regions: z.string().max(200).optional(),
  industries: z.string().max(200).optional(),
})
const list = (s: string | undefined) => (s ?? '').split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean)

/** Only same-site paths are followed after login (no open redirect). */
const safeNext = (next: string | undefined) => (next && /^\/console(\/[\w\-/.%?=&]*)?$/.test(next) ? next : '/console/cases')

/**
 * The web consoles under /console: sign-in, accounts and the audit log here; the consultant console
 * (src/handoff/console.tsx) and the PMO console (src/pmo/routes.tsx) mounted below.
 */
export function consoleRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const { db } = deps
  const now = () => deps.now?.() ?? new Date()
  const app = new Hono<ConsoleEnv>()
  app.use('*', async (c, next) => {
    await next()
    // Console pages hold personal data: never cache.
    c.header('cache-control', 'no-store')
  })
  // Scripts only from this origin (no inline script or handler), no framing, no plugins.
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: 'DENY',
      referrerPolicy: 'same-origin',
    }),
  )
  // Anonymous POSTs are read before the session check: a body over the limit is refused unread.
  // Uploads have their own, larger limit (src/pmo/kb-routes.tsx).
  const limited = bodyLimit({ maxSize: CONSOLE_BODY_LIMIT, onError: (c) => c.text('內容太大，無法處理。', 413) })
  app.use('*', async (c, next) => (c.req.method === 'POST' && !c.req.path.endsWith('/kb/upload') ? limited(c, next) : next()))
  app.get('/assets/:name', (c) => {
    const script = CONSOLE_ASSETS[c.req.param('name')]
    if (!script) return c.text('not found', 404)
    c.header('content-type', 'text/javascript; charset=utf-8')
    return c.body(script)
  })
  app.use('*', sessionMiddleware(db))

  app.get('/', (c) => c.redirect(c.get('session') ? '/console/cases' : '/console/login'))

  app.get('/login', async (c) => {
    if (c.get('session')) return c.redirect(safeNext(c.req.query('next')))
    const needsSetup = (await countPmo(db)) === 0
    return c.html(<LoginPage next={c.req.query('next')} needsSetup={needsSetup} />)
  })

  app.post('/login', async (c) => {
    const parsed = loginSchema.safeParse(await c.req.parseBody())
    if (!parsed.success) return c.html(<LoginPage error="請輸入帳號與密碼" />, 400)
    const at = now()
    const keys = { user: `user:${parsed.data.username.toLowerCase()}`, ip: `ip:${clientAddress(c)}` }
    const wait = await waitSeconds(db, [{ kind: 'user', key: keys.user }, { kind: 'ip', key: keys.ip }], at)
    if (wait > 0) {
      c.header('retry-after', String(wait))
      return c.html(<LoginPage error={waitText(wait)} next={parsed.data.next} />, 429)
    }
    const staff = await authenticate(db, parsed.data.username, parsed.data.password)
    if (!staff) {
      await recordFailure(db, [keys.user, keys.ip], at)
      await audit(db, null, 'login.failed', `staff:${parsed.data.username.toLowerCase()}`)
      return c.html(<LoginPage error="帳號或密碼不正確" next={parsed.data.next} />, 401)
    }
    const session = await createSession(db, staff.id)
    setSessionCookie(c, session.token, session.expiresAt)
    await audit(db, staff.id, 'login', `staff:${staff.username}`)
    return c.redirect(safeNext(parsed.data.next), 303)
  })

  app.post('/logout', requireStaff(), async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE)
    if (cookie) await deleteSession(db, cookie)
    clearSessionCookie(c)
    await audit(db, c.get('session')!.staff.id, 'logout', null)
    return c.redirect('/console/login', 303)
  })

  // First PMO account: needs ADMIN_TOKEN, and only while no PMO account exists.
  app.get('/setup', async (c) => {
    if (!deps.adminToken) return c.html(<SetupPage error="尚未設定 ADMIN_TOKEN，無法建立第一個 PMO 帳號。" disabled />, 403)
    if ((await countPmo(db)) > 0) return c.redirect('/console/login')
    return c.html(<SetupPage />)
  })
  app.post('/setup', async (c) => {
    // Once a PMO account exists, every token gets the same answer: nothing tells a right one from a wrong one.
    if ((await countPmo(db)) > 0) return c.redirect('/console/login', 303)
    const at = now()
    const key = `setup:${clientAddress(c)}`
    const wait = await waitSeconds(db, [{ kind: 'setup', key }], at)
    if (wait > 0) {
      c.header('retry-after', String(wait))
      return c.html(<SetupPage error={waitText(wait)} />, 429)
    }
    const form = await c.req.parseBody()
    if (!deps.adminToken || !tokenMatches(String(form.adminToken ?? ''), deps.adminToken)) {
      await recordFailure(db, [key], at)
      await audit(db, null, 'setup.denied', null)
      return c.html(<SetupPage error="ADMIN_TOKEN 不正確" />, 403)
    }
    const parsed = staffSchema.safeParse({ ...form, role: 'pmo' })
    if (!parsed.success) return c.html(<SetupPage error={parsed.error.issues.map((i) => i.message).join('；')} />, 400)
    const staff = await createStaff(db, { ...parsed.data, regions: [], industries: [] })
    await audit(db, staff.id, 'setup.first-pmo', `staff:${staff.username}`)
    const session = await createSession(db, staff.id)
    setSessionCookie(c, session.token, session.expiresAt)
    return c.redirect('/console/staff', 303)
  })

  // ---- accounts (PMO) ------------------------------------------------------------------------
  app.get('/staff', requireStaff('pmo'), async (c) => c.html(<StaffPage rows={await listStaff(db)} session={c.get('session')!} flash={c.req.query('ok')} />))
  app.post('/staff', requireStaff('pmo'), async (c) => {
    const session = c.get('session')!
    const parsed = staffSchema.safeParse(await c.req.parseBody())
    if (!parsed.success) {
      return c.html(<StaffPage rows={await listStaff(db)} session={session} error={parsed.error.issues.map((i) => i.message).join('；')} />, 400)
    }
    const input = { ...parsed.data, regions: list(parsed.data.regions), industries: list(parsed.data.industries) }
    try {
      const created = await createStaff(db, input)
      await audit(db, session.staff.id, 'staff.create', `staff:${created.username}`, { role: created.role, regions: created.regions, industries: created.industries })
    } catch (e) {
      if (e instanceof UsernameTaken) return c.html(<StaffPage rows={await listStaff(db)} session={session} error={`帳號「${input.username}」已存在`} />, 409)
      throw e
    }
    return c.redirect(`/console/staff?ok=${encodeURIComponent(`已建立帳號 ${input.username}`)}`, 303)
  })
  app.post('/staff/:id/active', requireStaff('pmo'), async (c) => {
    const session = c.get('session')!
    const id = c.req.param('id')
    if (!z.uuid().safeParse(id).success) return c.text('找不到帳號', 404)
    if (id === session.staff.id) return c.text('不能停用自己的帳號', 400)
    const active = (await c.req.parseBody()).active === 'true'
    const [row] = await db.update(staffTable).set({ active }).where(eq(staffTable.id, id)).returning({ username: staffTable.username })
    if (!row) return c.text('找不到帳號', 404)
    if (!active) await db.delete(staffSessions).where(eq(staffSessions.staffId, id))
    await audit(db, session.staff.id, active ? 'staff.activate' : 'staff.deactivate', `staff:${row.username}`)
    return c.redirect('/console/staff', 303)
  })
  app.post('/staff/:id/password', requireStaff('pmo'), async (c) => {
    const session = c.get('session')!
    if (!z.uuid().safeParse(c.req.param('id')).success) return c.text('找不到帳號', 404)
    const password = String((await c.req.parseBody()).password ?? '')
    if (password.length < MIN_PASSWORD_LENGTH) return c.text(`密碼至少 ${MIN_PASSWORD_LENGTH} 個字元`, 400)
    const [row] = await db.select({ id: staffTable.id, username: staffTable.username }).from(staffTable).where(eq(staffTable.id, c.req.param('id')))
    if (!row) return c.text('找不到帳號', 404)
    await setPassword(db, row.id, password)
    await audit(db, session.staff.id, 'staff.password', `staff:${row.username}`)
    return c.redirect(`/console/staff?ok=${encodeURIComponent(`已重設 ${row.username} 的密碼`)}`, 303)
  })

  app.get('/audit', requireStaff('pmo'), async (c) => {
    const target = c.req.query('target')
    const rows: AuditRow[] = await db
      .select({ id: auditLog.id, at: auditLog.at, action: auditLog.action, target: auditLog.target, detail: auditLog.detail, username: staffTable.username })
      .from(auditLog)
      .leftJoin(staffTable, eq(staffTable.id, auditLog.staffId))
      .where(target ? eq(auditLog.target, target) : undefined)
      .orderBy(desc(auditLog.id))
      .limit(300)
    return c.html(<AuditPage rows={rows} session={c.get('session')!} />)
  })

  app.route('/', caseConsoleRoutes(deps))
  app.route('/', pmoRoutes(deps))
  return app
}

type StaffListRow = Pick<typeof staffTable.$inferSelect, 'id' | 'username' | 'displayName' | 'role' | 'regions' | 'industries' | 'active' | 'lastLoginAt'>
async function listStaff(db: Db): Promise<StaffListRow[]> {
  return db
    .select({
      id: staffTable.id,
      username: staffTable.username,
      displayName: staffTable.displayName,
      role: staffTable.role,
      regions: staffTable.regions,
      industries: staffTable.industries,
      active: staffTable.active,
      lastLoginAt: staffTable.lastLoginAt,
    })
    .from(staffTable)
    .orderBy(desc(staffTable.role), staffTable.username)
}

type AuditRow = Pick<typeof auditLog.$inferSelect, 'id' | 'at' | 'action' | 'target' | 'detail'> & { username: string | null }

function LoginPage(props: { error?: string; next?: string | undefined; needsSetup?: boolean }) {
  return (
    <Layout title="登入" error={props.error}>
      <div class="card" style="max-width:420px;margin:2rem auto">
        <h1>顧問／PMO 登入</h1>
        <form method="post" action="/console/login">
          <input type="hidden" name="next" value={props.next ?? ''} />
          <label for="username">帳號</label>
          <input type="text" id="username" name="username" autocomplete="username" required autofocus />
          <label for="password">密碼</label>
          <input type="password" id="password" name="password" autocomplete="current-password" required />
          <p>
            <button type="submit">登入</button>
          </p>
        </form>
        {props.needsSetup ? (
          <p class="muted">
            尚無 PMO 帳號：請用 ADMIN_TOKEN 到 <a href="/console/setup">初始設定</a> 建立第一個帳號。
          </p>
        ) : null}
      </div>
    </Layout>
  )
}

function SetupPage(props: { error?: string; disabled?: boolean }) {
  return (
    <Layout title="初始設定" error={props.error}>
      <div class="card" style="max-width:480px;margin:2rem auto">
        <h1>建立第一個 PMO 帳號</h1>
        {props.disabled ? (
          <p>請在伺服器設定 ADMIN_TOKEN（至少 16 個字元）後重新啟動。</p>
        ) : (
          <form method="post" action="/console/setup">
            <label for="adminToken">ADMIN_TOKEN</label>
            <input type="password" id="adminToken" name="adminToken" required />
            <label for="username">帳號</label>
            <input type="text" id="username" name="username" required />
            <label for="displayName">顯示名稱</label>
            <input type="text" id="displayName" name="displayName" required />
            <label for="password">密碼（至少 {MIN_PASSWORD_LENGTH} 個字元）</label>
            <input type="password" id="password" name="password" autocomplete="new-password" required />
            <p>
              <button type="submit">建立並登入</button>
            </p>
          </form>
        )}
      </div>
    </Layout>
  )
}

function StaffPage(props: { rows: StaffListRow[]; session: NonNullable<ConsoleEnv['Variables']['session']>; error?: string; flash?: string | undefined }) {
  const s = props.session
  return (
    <Layout title="帳號管理" session={s} error={props.error} flash={props.flash}>
      <h1>帳號管理</h1>
      <table class="responsive">
        <thead>
          <tr>
            <th>帳號</th>
            <th>名稱</th>
            <th>角色</th>
            <th>負責地區／產業</th>
            <th>最後登入</th>
            <th>動作</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr data-username={r.username}>
              <td>{r.username}</td>
              <td>{r.displayName}</td>
              <td>{r.role === 'pmo' ? 'PMO' : '顧問'}</td>
              <td>
                {r.regions.join('、') || '不限'}／{r.industries.join('、') || '不限'}
              </td>
              <td>{formatTime(r.lastLoginAt)}</td>
              <td>
                {r.active ? '' : <span class="badge failed">已停用</span>}
                {r.id !== s.staff.id ? (
                  <form method="post" action={`/console/staff/${r.id}/active`} class="inline">
                    <CsrfField session={s} />
                    <input type="hidden" name="active" value={r.active ? 'false' : 'true'} />
                    <button type="submit" class="secondary">{r.active ? '停用' : '啟用'}</button>
                  </form>
                ) : null}
                <details>
                  <summary>重設密碼</summary>
                  <form method="post" action={`/console/staff/${r.id}/password`}>
                    <CsrfField session={s} />
                    <input type="password" name="password" aria-label={`${r.username} 的新密碼`} autocomplete="new-password" required />
                    <button type="submit" class="secondary">重設</button>
                  </form>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="card">
        <h2>新增帳號</h2>
        <form method="post" action="/console/staff">
          <CsrfField session={s} />
          <div class="grid">
            <div>
              <label for="username">帳號</label>
              <input type="text" id="username" name="username" required />
            </div>
            <div>
              <label for="displayName">顯示名稱</label>
              <input type="text" id="displayName" name="displayName" required />
            </div>
            <div>
              <label for="role">角色</label>
              <select id="role" name="role">
                <option value="consultant">顧問</option>
                <option value="pmo">PMO</option>
              </select>
            </div>
            <div>
              <label for="password">初始密碼（至少 {MIN_PASSWORD_LENGTH} 個字元）</label>
              <input type="password" id="password" name="password" autocomplete="new-password" required />
            </div>
            <div>
              <label for="regions">負責地區（以逗號分隔，空白＝不限）</label>
              <input type="text" id="regions" name="regions" placeholder="例如：臺北市, 新北市" />
            </div>
            <div>
              <label for="industries">負責產業（以逗號分隔，空白＝不限）</label>
              <input type="text" id="industries" name="industries" placeholder="例如：製造業, 餐飲業" />
            </div>
          </div>
          <p>
            <button type="submit">建立帳號</button>
          </p>
        </form>
      </div>
    </Layout>
  )
}

function AuditPage(props: { rows: AuditRow[]; session: NonNullable<ConsoleEnv['Variables']['session']> }) {
  return (
    <Layout title="稽核紀錄" session={props.session}>
      <h1>稽核紀錄</h1>
      <table class="responsive">
        <thead>
          <tr>
            <th>時間</th>
            <th>人員</th>
            <th>動作</th>
            <th>對象</th>
            <th>細節</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => (
            <tr>
              <td>{formatTime(r.at)}</td>
              <td>{r.username ?? '—'}</td>
              <td>{r.action}</td>
              <td>{r.target ?? ''}</td>
              <td class="muted">{typeof r.detail === 'string' ? r.detail : JSON.stringify(r.detail)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  )
}
