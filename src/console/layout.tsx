import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { CSRF_FIELD, type Session } from './auth.js'

/**
 * The shell of every console page: server-rendered, no client framework, usable on a phone
 * (one column under 720px, tap-sized controls). Pages add small inline scripts only where live
 * updates matter (the case thread, re-index progress).
 */
export function Layout(props: { title: string; session?: Session | undefined; children: Child; flash?: string | undefined; error?: string | undefined }) {
  const s = props.session
  return (
    <html lang="zh-Hant-TW">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}｜中小企業數位轉型小幫手 後台</title>
        <link rel="icon" href="data:," />
        <style>{raw(CSS)}</style>
        <script src="/console/assets/confirm.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/console">數位轉型小幫手 後台</a>
          {s ? (
            <nav>
              <a href="/console/cases">案件</a>
              {s.staff.role === 'pmo' ? (
                <>
                  <a href="/console/kb">知識庫</a>
                  <a href="/console/learn">洞察</a>
                  <a href="/console/staff">帳號</a>
                  <a href="/console/audit">稽核紀錄</a>
                </>
              ) : null}
              <span class="who">{s.staff.displayName}（{s.staff.role === 'pmo' ? 'PMO' : '顧問'}）</span>
              <form method="post" action="/console/logout" class="inline">
                <CsrfField session={s} />
                <button type="submit" class="link">登出</button>
              </form>
            </nav>
          ) : null}
        </header>
        <main>
          {props.flash ? <p class="flash" role="status">{props.flash}</p> : null}
          {props.error ? <p class="error" role="alert">{props.error}</p> : null}
          {props.children}
        </main>
      </body>
    </html>
  )
}

export function CsrfField({ session }: { session: Session }) {
  return <input type="hidden" name={CSRF_FIELD} value={session.csrfToken} />
}

/** "3 分鐘" / "2 小時 5 分" / "1 天 3 小時": waiting times in the inbox. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  if (minutes < 60) return `${minutes} 分鐘`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours} 小時 ${minutes % 60} 分`
  return `${Math.floor(hours / 24)} 天 ${hours % 24} 小時`
}

/** Taipei wall-clock time for display. */
export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return '—'
  const date = typeof d === 'string' ? new Date(d) : d
  return date.toLocaleString('zh-TW', { timeZone: 'Asia/Taipei', hour12: false, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK TC","Noto Sans TC",system-ui,sans-serif;color:#1f2933;background:#f5f7f9;line-height:1.5}
a{color:#0b6e4f}
.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.6rem 1rem;background:#06c755;color:#fff}
.top a{color:#fff;text-decoration:none;font-weight:600}
.top nav{display:flex;flex-wrap:wrap;gap:.4rem .9rem;align-items:center}
.who{opacity:.9;font-size:.9rem}
main{max-width:1100px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.2rem 0 1rem}
h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
.card{background:#fff;border:1px solid #dde3e8;border-radius:10px;padding:1rem;margin-bottom:1rem}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #e4e8ec;vertical-align:top}
th{font-size:.85rem;color:#52606d}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}
input[type=text],input[type=password],input[type=search],input[type=date],select,textarea{width:100%;padding:.55rem;border:1px solid #b8c2cc;border-radius:8px;font:inherit;background:#fff}
textarea{min-height:6rem}
button,.button{display:inline-block;padding:.55rem 1rem;border:0;border-radius:8px;background:#06c755;color:#fff;font:inherit;font-weight:600;cursor:pointer;text-decoration:none;min-height:44px}
button.secondary,.button.secondary{background:#e4e8ec;color:#1f2933}
button.danger{background:#c62828}
button.link{background:none;color:inherit;padding:0;min-height:0;text-decoration:underline;font-weight:400}
form.inline{display:inline}
.flash{background:#e3f9e5;border:1px solid #8dd39e;padding:.6rem;border-radius:8px}
.error,.field-error{color:#b71c1c}
p.error{background:#fdecea;border:1px solid #f5b7b1;padding:.6rem;border-radius:8px}
.muted{color:#6b7785;font-size:.9rem}
.tabs{display:flex;gap:.5rem;flex-wrap:wrap;margin-bottom:1rem}
.tabs a{padding:.4rem .8rem;border-radius:999px;background:#e4e8ec;color:#1f2933;text-decoration:none}
.tabs a.active{background:#0b6e4f;color:#fff}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:999px;font-size:.8rem;background:#e4e8ec}
.badge.overdue,.badge.failed{background:#fdecea;color:#b71c1c}
.badge.ok{background:#e3f9e5;color:#1b5e20}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
@media (max-width:720px){.grid{grid-template-columns:1fr} main{padding:.6rem} table.responsive thead{display:none} table.responsive tr{display:block;border-bottom:1px solid #dde3e8;padding:.4rem 0} table.responsive td{display:block;border:0;padding:.15rem .5rem}}
`
