import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rowsOf } from '../src/db/types.js'
import { SECRET, startBot, startFakeLine, type Bot, type FakeLineServer } from './helpers/harness.js'
import { postWebhook, textEvent } from '../src/simulator/events.js'
import { docxBomb } from './helpers/zip-bomb.js'

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789'

/** A tiny browser stand-in: keeps the session cookie and reads the CSRF token from pages. */
class Client {
  cookie: string | undefined
  constructor(readonly base: string) {}
  async request(path: string, init: RequestInit & { form?: Record<string, string> } = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.cookie) headers.set('cookie', this.cookie)
    let body = init.body
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded')
      body = new URLSearchParams(init.form).toString()
    }
    const res = await fetch(this.base + path, { ...init, headers, body, redirect: 'manual' })
    const set = res.headers.get('set-cookie')
    if (set?.startsWith('dx_session=')) this.cookie = /Max-Age=0|expires=Thu, 01 Jan 1970/i.test(set) ? undefined : set.split(';')[0]
    return res
  }
  async csrf(page = '/console/staff'): Promise<string> {
    const html = await (await this.request(page)).text()
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1]
    if (!token) throw new Error(`no CSRF token on ${page}`)
    return token
  }
}

describe('console sign-in, accounts and CSRF', () => {
  let line: FakeLineServer
  let bot: Bot
  let pmo: Client

  beforeAll(async () => {
    line = await startFakeLine()
    bot = await startBot({ engine: 'pglite', lineUrl: line.url, env: { ADMIN_TOKEN } })
    pmo = new Client(bot.url)
  })
  afterAll(async () => {
    await bot.close()
    await line.close()
  })

  const staffCount = async () => Number(rowsOf<{ n: string }>(await bot.database.db.execute(sql`SELECT count(*) AS n FROM staff`))[0]!.n)

  it('sends visitors without a session to the login page', async () => {
    const res = await new Client(bot.url).request('/console/cases')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/console/login?next=%2Fconsole%2Fcases')
    const api = await new Client(bot.url).request('/console/staff', { method: 'POST', form: { username: 'x' } })
    expect(api.status).toBe(401)
  })

  it('creates the first PMO account only with the right ADMIN_TOKEN', async () => {
    const wrong = await pmo.request('/console/setup', { method: 'POST', form: { adminToken: 'not-the-token-000000', username: 'pmo1', displayName: '王小明', password: 'correct horse battery' } })
    expect(wrong.status).toBe(403)
    expect(await staffCount()).toBe(0)

    const ok = await pmo.request('/console/setup', { method: 'POST', form: { adminToken: ADMIN_TOKEN, username: 'PMO1', displayName: '王小明', password: 'correct horse battery' } })
    expect(ok.status).toBe(303)
    const cookie = ok.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).toMatch(/Path=\/console/i)
    const row = rowsOf<{ username: string; role: string; password_hash: string }>(await bot.database.db.execute(sql`SELECT username, role, password_hash FROM staff`))[0]!
    expect(row).toMatchObject({ username: 'pmo1', role: 'pmo' })
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(row.password_hash).not.toContain('correct horse')

    // Once a PMO exists the setup page is closed, even with the token.
    const again = await new Client(bot.url).request('/console/setup', { method: 'POST', form: { adminToken: ADMIN_TOKEN, username: 'pmo2', displayName: 'x', password: 'another password' } })
    expect(again.status).toBe(303)
    expect(await staffCount()).toBe(1)
  })

  it('refuses account changes without the session CSRF token, and records the ones it makes', async () => {
    const form = { username: 'alice', displayName: '林顧問', role: 'consultant', password: 'alice-password-1', regions: '臺北市, 新北市', industries: '' }
    const forged = await pmo.request('/console/staff', { method: 'POST', form })
    expect(forged.status).toBe(403)
    const wrongToken = await pmo.request('/console/staff', { method: 'POST', form: { ...form, _csrf: 'x'.repeat(43) } })
    expect(wrongToken.status).toBe(403)
    expect(await staffCount()).toBe(1)

    const created = await pmo.request('/console/staff', { method: 'POST', form: { ...form, _csrf: await pmo.csrf() } })
    expect(created.status).toBe(303)
    const alice = rowsOf<{ regions: string[] }>(await bot.database.db.execute(sql`SELECT regions FROM staff WHERE username = 'alice'`))[0]!
    expect(alice.regions).toEqual(['臺北市', '新北市'])

    const dup = await pmo.request('/console/staff', { method: 'POST', form: { ...form, _csrf: await pmo.csrf() } })
    expect(dup.status).toBe(409)
    expect(await dup.text()).toContain('已存在')

    const weak = await pmo.request('/console/staff', { method: 'POST', form: { ...form, username: 'bob', password: 'short', _csrf: await pmo.csrf() } })
    expect(weak.status).toBe(400)
    expect(await weak.text()).toContain('密碼至少')

    const audit = await (await pmo.request('/console/audit')).text()
    expect(audit).toContain('staff.create')
    expect(audit).toContain('staff:alice')
  })

  it('signs consultants in, keeps them out of PMO pages, and signs them out for good', async () => {
    const alice = new Client(bot.url)
    const bad = await alice.request('/console/login', { method: 'POST', form: { username: 'alice', password: 'wrong-password-x' } })
    expect(bad.status).toBe(401)
    expect(await bad.text()).toContain('帳號或密碼不正確')
    const unknown = await alice.request('/console/login', { method: 'POST', form: { username: 'nobody', password: 'wrong-password-x' } })
    expect(unknown.status).toBe(401)

    const ok = await alice.request('/console/login', { method: 'POST', form: { username: 'ALICE', password: 'alice-password-1', next: 'https://evil.example/' } })
    expect(ok.status).toBe(303)
    expect(ok.headers.get('location')).toBe('/console/cases') // no open redirect
    expect((await alice.request('/console/staff')).status).toBe(403)

    const stolen = alice.cookie
    const out = await alice.request('/console/logout', { method: 'POST', form: { _csrf: await alice.csrf('/console/cases') } })
    expect(out.status).toBe(303)
    const replay = new Client(bot.url)
    replay.cookie = stolen
    expect((await replay.request('/console/cases')).status).toBe(302)

    const audit = await (await pmo.request('/console/audit')).text()
    expect(audit).toContain('login.failed')
    expect(audit).toContain('logout')
  })

  it('makes guessing wait: after five wrong passwords even the right one is refused for a while, other accounts unaffected', async () => {
    const guesser = new Client(bot.url)
    for (let i = 0; i < 5; i++) expect((await guesser.request('/console/login', { method: 'POST', form: { username: 'pmo1', password: `guess-${i}-xxxxxx` } })).status).toBe(401)
    const right = await guesser.request('/console/login', { method: 'POST', form: { username: 'pmo1', password: 'correct horse battery' } })
    expect(right.status).toBe(429)
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await right.text()).toContain('嘗試次數過多')
    expect(guesser.cookie).toBeUndefined()
    // Another account from the same address still signs in.
    const alice = new Client(bot.url)
    expect((await alice.request('/console/login', { method: 'POST', form: { username: 'alice', password: 'alice-password-1' } })).status).toBe(303)
    // The wait passes.
    await bot.database.db.execute(sql`UPDATE login_failures SET at = at - interval '1 hour' WHERE key = 'user:pmo1'`)
    expect((await guesser.request('/console/login', { method: 'POST', form: { username: 'pmo1', password: 'correct horse battery' } })).status).toBe(303)
  })

  it('answers any setup token the same once setup is closed', async () => {
    const right = await new Client(bot.url).request('/console/setup', { method: 'POST', form: { adminToken: ADMIN_TOKEN, username: 'pmo9', displayName: 'x', password: 'another password' } })
    const wrong = await new Client(bot.url).request('/console/setup', { method: 'POST', form: { adminToken: 'wrong-token-0000000000', username: 'pmo9', displayName: 'x', password: 'another password' } })
    expect([right.status, right.headers.get('location')]).toEqual([wrong.status, wrong.headers.get('location')])
    expect(await right.text()).toBe(await wrong.text())
  })

  it('refuses an oversize form unread, 404s a malformed id, and sends a CSP that allows no inline script', async () => {
    // The server answers before the body is sent, so read the status as a browser would: on the response, not the upload.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${bot.url}/console/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(3 * 1024 * 1024) } }, (res) => {
        resolve(res.statusCode ?? 0)
        res.resume()
      })
      req.on('error', (e) => (e.message.includes('EPIPE') || e.message.includes('ECONNRESET') ? undefined : reject(e)))
      req.write('username=a&password=')
      req.end('x'.repeat(3 * 1024 * 1024 - 20))
    })
    expect(status).toBe(413)
    const bad = await pmo.request('/console/staff/not-a-uuid/active', { method: 'POST', form: { active: 'false', _csrf: await pmo.csrf() } })
    expect(bad.status).toBe(404)
    const page = await pmo.request('/console/staff')
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(await page.text()).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\son(submit|click|change)=/)
    const script = await pmo.request('/console/assets/confirm.js')
    expect([script.status, script.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8'])
  })

  it('refuses a zip-bomb upload with the console page while the webhook keeps acknowledging', async () => {
    const form = new FormData()
    form.set('_csrf', await pmo.csrf('/console/kb'))
    form.set('file', new Blob([await docxBomb(100)]), '年度計畫.docx')
    const upload = pmo.request('/console/kb/upload', { method: 'POST', body: form })
    const acks = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postWebhook(`${bot.url}/webhook`, SECRET, [textEvent({ userId: `Ubomb${String(i).padStart(28, '0')}` }, '你好', `rt-bomb-${i}`)])),
    )
    expect(acks.map((r) => r.status)).toEqual(Array(10).fill(200))
    const res = await upload
    expect(res.status).toBe(303)
    expect(decodeURIComponent(res.headers.get('location') ?? '')).toMatch(/^\/console\/kb\?err=「年度計畫\.docx」無法匯入：這個 Word 檔解壓縮後超過 60 MB/)
    // Nothing was saved as a draft.
    const versions = rowsOf<{ n: string }>(await bot.database.db.execute(sql`SELECT count(*) AS n FROM kb_document_versions WHERE note LIKE '%年度計畫%'`))
    expect(Number(versions[0]!.n)).toBe(0)
  })

  it('ends every session of a deactivated account', async () => {
    const alice = new Client(bot.url)
    await alice.request('/console/login', { method: 'POST', form: { username: 'alice', password: 'alice-password-1' } })
    expect((await alice.request('/console/cases')).status).toBe(200)
    const id = rowsOf<{ id: string }>(await bot.database.db.execute(sql`SELECT id FROM staff WHERE username = 'alice'`))[0]!.id
    expect((await pmo.request(`/console/staff/${id}/active`, { method: 'POST', form: { active: 'false', _csrf: await pmo.csrf() } })).status).toBe(303)
    expect((await alice.request('/console/cases')).status).toBe(302)
    const again = await alice.request('/console/login', { method: 'POST', form: { username: 'alice', password: 'alice-password-1' } })
    expect(again.status).toBe(401)
  })

  it('marks the cookie Secure behind an HTTPS proxy', async () => {
    const c = new Client(bot.url)
    const res = await c.request('/console/login', { method: 'POST', headers: { 'x-forwarded-proto': 'https' }, form: { username: 'pmo1', password: 'correct horse battery' } })
    expect(res.status).toBe(303)
    expect(res.headers.get('set-cookie')).toMatch(/Secure/)
  })
})

describe('console without ADMIN_TOKEN', () => {
  it('explains that the first account needs ADMIN_TOKEN', async () => {
    const line = await startFakeLine()
    const bot = await startBot({ engine: 'pglite', lineUrl: line.url })
    try {
      const res = await fetch(`${bot.url}/console/setup`)
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('ADMIN_TOKEN')
      const post = await fetch(`${bot.url}/console/setup`, { method: 'POST', body: new URLSearchParams({ adminToken: '', username: 'x', displayName: 'x', password: 'xxxxxxxxxxxx' }) })
      expect(post.status).toBe(403)
    } finally {
      await bot.close()
      await line.close()
    }
  })
})
