import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { copy } from '../chat/copy.js'

/**
 * The simulator page: a LINE-like chat, server-rendered, with a little inline script that sends the
 * user's actions to /simulator/api/send and polls /simulator/api/messages for what the bot sent.
 *
 * Messages are rendered to HTML here, on the server, by `renderMessage` (pure, unit-tested), so the
 * page's script only inserts that HTML and handles clicks on elements carrying `data-action`.
 */

export const SIMULATOR_TITLE = `${copy.botName}（模擬器）`

type Json = Record<string, unknown>

/** One bot message as the page shows it: the bubble's inner HTML and the quick reply chips (may be ''). */
export interface RenderedMessage {
  type: string
  html: string
  quickReplies: string
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** hono/jsx elements stringify synchronously when no component is async (none here is). */
function toHtml(node: Child): string {
  const html = String(node ?? '')
  if (html === '[object Promise]') throw new Error('async component in a synchronous render')
  return html
}

export function renderMessage(message: Json): RenderedMessage {
  const type = str(message.type) ?? 'unknown'
  return { type, html: toHtml(<MessageBody message={message} />), quickReplies: toHtml(<QuickReplies quickReply={message.quickReply} />) }
}

function MessageBody({ message }: { message: Json }) {
  const type = str(message.type) ?? 'unknown'
  if (type === 'text' || type === 'textV2') return <div class="text">{str(message.text) ?? ''}</div>
  if (type === 'flex') return <Flex message={message} />
  const alt = str(message.altText)
  return (
    <div class="other">
      [{type}]{alt ? <span class="alt"> {alt}</span> : ''}
    </div>
  )
}

// ---- actions (quick replies and Flex buttons) -------------------------------------------------

const SAFE_URI = /^(https?:|tel:|mailto:|line:)/i

/** The fields the page's script needs to perform an action; everything else stays on the server. */
function clientAction(action: Json): string {
  const pick: Json = {}
  for (const key of ['type', 'label', 'text', 'data', 'displayText', 'clipboardText']) if (action[key] !== undefined) pick[key] = action[key]
  return JSON.stringify(pick)
}

function Action({ action, testid, class: cls }: { action: unknown; testid: string; class: string }) {
  if (!isObject(action)) return <span class={`${cls} disabled`}>?</span>
  const type = str(action.type) ?? ''
  const label = str(action.label) ?? type
  if (type === 'uri') {
    const uri = str(action.uri) ?? ''
    return SAFE_URI.test(uri) ? (
      <a class={cls} data-testid={testid} href={uri} target="_blank" rel="noopener noreferrer" title={uri}>
        {label}
      </a>
    ) : (
      <span class={`${cls} disabled`} data-testid={testid} title="不安全的連結，模擬器不開啟">
        {label}
      </span>
    )
  }
  if (type === 'message' || type === 'postback' || type === 'clipboard') {
    return (
      <button type="button" class={cls} data-testid={testid} data-action={clientAction(action)}>
        {label}
      </button>
    )
  }
  return (
    <button type="button" class={cls} data-testid={testid} disabled title={`模擬器不支援「${type}」動作`}>
      {label}
    </button>
  )
}

function QuickReplies({ quickReply }: { quickReply: unknown }) {
  const items = isObject(quickReply) ? list(quickReply.items) : []
  if (items.length === 0) return ''
  return <>{items.map((item) => <Action action={isObject(item) ? item.action : undefined} testid="quick-reply" class="chip" />)}</>
}

// ---- Flex --------------------------------------------------------------------------------------

const SIZES: Record<string, string> = { xxs: '11px', xs: '12px', sm: '13px', md: '15px', lg: '17px', xl: '19px', xxl: '22px', '3xl': '26px', '4xl': '30px', '5xl': '34px' }
const SPACES: Record<string, string> = { none: '0', xs: '2px', sm: '4px', md: '8px', lg: '12px', xl: '16px', xxl: '20px' }
const COLOR = /^#[0-9a-f]{6}([0-9a-f]{2})?$/i
const PIXELS = /^\d{1,3}(\.\d+)?px$/

function fontSize(v: unknown): string | undefined {
  const s = str(v)
  return s ? (SIZES[s] ?? (PIXELS.test(s) ? s : undefined)) : undefined
}
function space(v: unknown): string | undefined {
  const s = str(v)
  return s ? (SPACES[s] ?? (PIXELS.test(s) ? s : undefined)) : undefined
}

/** A style attribute from already-validated values only (Flex JSON never reaches CSS unchecked). */
function style(rules: Record<string, string | undefined>): string | undefined {
  const out = Object.entries(rules)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}:${v}`)
    .join(';')
  return out || undefined
}

function Flex({ message }: { message: Json }) {
  const contents = message.contents
  const alt = str(message.altText) ?? ''
  const kind = isObject(contents) ? contents.type : undefined
  if (kind === 'bubble') return <Bubble bubble={contents as Json} alt={alt} />
  if (kind === 'carousel') {
    return (
      <div class="flex-carousel" data-testid="flex-carousel" data-alt-text={alt}>
        {list((contents as Json).contents).map((b) => (isObject(b) ? <Bubble bubble={b} alt={alt} /> : ''))}
      </div>
    )
  }
  return (
    <div class="text" data-testid="flex-alt">
      {alt || '[flex]'}
    </div>
  )
}

function Bubble({ bubble, alt }: { bubble: Json; alt: string }) {
  return (
    <div class="flex-bubble" data-testid="flex-bubble" data-alt-text={alt}>
      {(['header', 'hero', 'body', 'footer'] as const).map((part) =>
        isObject(bubble[part]) ? (
          <div class={`flex-${part}`}>
            <Component c={bubble[part] as Json} row={false} />
          </div>
        ) : (
          ''
        ),
      )}
    </div>
  )
}

/** A Flex length ("40%", "8px") as CSS, or undefined for anything else (never raw input in a style). */
function cssLength(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{1,4}(\.\d+)?(px|%)$/.test(value) ? value : undefined
}

/** One Flex component; `row` when its parent box lays children out horizontally. */
function Component({ c, row }: { c: Json; row: boolean }) {
  const type = str(c.type) ?? ''
  const grow = row ? (typeof c.flex === 'number' ? (c.flex === 0 ? '0 0 auto' : `${c.flex} 1 0`) : '1 1 0') : undefined
  const margin = space(c.margin)
  const outer = { flex: grow, 'margin-top': row ? undefined : margin, 'margin-left': row ? margin : undefined }
  switch (type) {
    case 'box': {
      const layout = str(c.layout) === 'vertical' ? 'vertical' : 'horizontal'
      const gap = space(c.spacing)
      return (
        <div
          class={`flex-box ${layout}`}
          style={style({
            ...outer,
            gap,
            padding: space(c.paddingAll),
            'background-color': colour(c.backgroundColor),
            // Sizes drawn like LINE does (e.g. the assessment's level bars): percentages and pixels only.
            width: cssLength(c.width),
            height: cssLength(c.height),
            'border-radius': cssLength(c.cornerRadius),
          })}
        >
          {list(c.contents).map((child) => (isObject(child) ? <Component c={child} row={layout === 'horizontal'} /> : ''))}
        </div>
      )
    }
    case 'text': {
      const spans = list(c.contents).filter(isObject)
      return (
        <div
          class={`flex-text${c.wrap === true ? ' wrap' : ''}`}
          data-testid="flex-text"
          style={style({ ...outer, 'font-weight': c.weight === 'bold' ? 'bold' : undefined, 'font-size': fontSize(c.size), color: colour(c.color), 'text-align': align(c.align) })}
        >
          {spans.length > 0
            ? spans.map((s) => (
                <span style={style({ 'font-weight': s.weight === 'bold' ? 'bold' : undefined, 'font-size': fontSize(s.size), color: colour(s.color) })}>{str(s.text) ?? ''}</span>
              ))
            : (str(c.text) ?? '')}
        </div>
      )
    }
    case 'separator':
      return <hr class="flex-separator" style={style({ ...outer, 'border-color': colour(c.color) })} />
    case 'image':
    case 'video':
      return (
        <div class="flex-image" data-testid="flex-image" style={style(outer)} title={str(c.url) ?? ''}>
          {type === 'image' ? '［圖片］' : '［影片］'}
        </div>
      )
    case 'icon':
      return <span class="flex-icon">•</span>
    case 'button':
      return (
        <div style={style(outer)}>
          <Action action={c.action} testid="flex-button" class={`flex-button ${str(c.style) ?? 'link'}`} />
        </div>
      )
    case 'filler':
      return <div style={style({ flex: row ? '1 1 0' : undefined })} />
    case 'spacer':
      return <div style={style({ height: space(c.size) ?? '4px' })} />
    default:
      return <div class="other">[{type || 'unknown'}]</div>
  }
}

function colour(v: unknown): string | undefined {
  const s = str(v)
  return s && COLOR.test(s) ? s : undefined
}
function align(v: unknown): string | undefined {
  return v === 'start' ? 'left' : v === 'end' ? 'right' : v === 'center' ? 'center' : undefined
}

// ---- the page -----------------------------------------------------------------------------------

const CSS = `
*{box-sizing:border-box}
[hidden]{display:none!important}
html,body{margin:0;height:100%}
body{font-family:system-ui,-apple-system,"Noto Sans CJK TC","Noto Sans TC","PingFang TC","Microsoft JhengHei",sans-serif;background:#dfe3ea;color:#111;font-size:15px}
.app{display:flex;flex-direction:column;height:100vh;height:100dvh;max-width:480px;margin:0 auto;background:#8cabd9;box-shadow:0 0 12px rgba(0,0,0,.15)}
header{background:#273246;color:#fff;padding:8px 12px}
header h1{font-size:16px;margin:0}
header p{font-size:12px;margin:2px 0 0;color:#c9d3e3}
.status{float:right;font-size:11px;color:#9be39b}
.status.down{color:#ff9d9d}
.controls{background:#f4f6f9;padding:6px 10px;display:flex;flex-wrap:wrap;gap:6px;align-items:center;border-bottom:1px solid #ccd}
.controls label{font-size:12px;color:#555;display:flex;align-items:center;gap:4px;flex:1 1 100%}
.controls input{flex:1;min-width:0;font:12px ui-monospace,monospace;padding:4px 6px;border:1px solid #bbc;border-radius:4px}
.controls button{font:inherit;font-size:13px;padding:4px 10px;border:1px solid #99a;border-radius:14px;background:#fff;cursor:pointer}
.controls button:hover{background:#eef}
.scroller{flex:1;overflow-y:auto;padding:10px 8px}
.row{display:flex;align-items:flex-end;gap:4px;margin:6px 0}
.row.user{flex-direction:row-reverse}
.row.note{justify-content:center;font-size:12px;color:#fff}
.row.note span{background:rgba(0,0,0,.25);border-radius:10px;padding:2px 10px}
.row.error span{background:#c0392b}
.bubble{max-width:78%;border-radius:16px;padding:8px 11px;line-height:1.45;overflow-wrap:anywhere}
.bot .bubble{background:#fff;border-top-left-radius:4px}
.bot .bubble.kind-flex{background:transparent;padding:0;max-width:88%}
.user .bubble{background:#8de055;border-top-right-radius:4px}
.user .bubble.kind-sticker,.user .bubble.kind-image{background:#fff;color:#555;border:2px dashed #aab}
.text{white-space:pre-wrap}
.other .alt{color:#666}
.meta{display:flex;flex-direction:column;align-items:flex-start;font-size:10px;color:#f4f7fb;gap:2px;flex:none}
.user .meta{align-items:flex-end}
.badge{border-radius:6px;padding:0 5px;font-size:10px;color:#fff;background:#3b7a3b}
.badge.push{background:#b8660b}
.typing .bubble{color:#888;letter-spacing:2px}
.typing .dot{display:inline-block;animation:blink 1.2s infinite}
.typing .dot:nth-child(2){animation-delay:.2s}.typing .dot:nth-child(3){animation-delay:.4s}
@keyframes blink{0%,80%,100%{opacity:.2}40%{opacity:1}}
.chips{display:flex;gap:6px;overflow-x:auto;padding:0 8px}
.chips:not(:empty){padding:6px 8px}
.chip{flex:none;font:inherit;font-size:13px;padding:6px 12px;border-radius:16px;border:1px solid #06c755;background:#fff;color:#06a047;cursor:pointer;text-decoration:none;white-space:nowrap}
.chip:disabled,.chip.disabled{color:#999;border-color:#bbb;cursor:not-allowed}
form.composer{display:flex;gap:6px;padding:8px;background:#fff;border-top:1px solid #ccd}
form.composer input{flex:1;min-width:0;font:inherit;padding:8px 12px;border:1px solid #ccd;border-radius:18px}
form.composer button{font:inherit;padding:6px 14px;border:0;border-radius:18px;background:#06c755;color:#fff;cursor:pointer}
.flex-carousel{display:flex;gap:8px;overflow-x:auto;max-width:100%}
.flex-bubble{flex:none;width:100%;max-width:300px;background:#fff;border-radius:14px;overflow:hidden}
.flex-carousel .flex-bubble{width:260px}
.flex-header,.flex-body,.flex-footer{padding:10px 12px}
.flex-header{padding-bottom:0}
.flex-box{display:flex;min-width:0}
.flex-box.vertical{flex-direction:column}
.flex-box.horizontal{flex-direction:row;align-items:baseline}
.flex-text{white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:0}
.flex-text.wrap{white-space:pre-wrap;overflow-wrap:anywhere}
.flex-separator{border:0;border-top:1px solid #ddd;margin:0;width:100%}
.flex-image{background:#eef1f5;color:#778;font-size:12px;text-align:center;padding:14px 4px;border-radius:6px}
.flex-button{display:block;width:100%;font:inherit;font-size:14px;padding:8px;border-radius:8px;border:0;background:transparent;color:#2a64c5;cursor:pointer;text-align:center;text-decoration:none}
.flex-button.primary{background:#06c755;color:#fff}
.flex-button.secondary{background:#eef1f5;color:#111}
.flex-button:disabled,.flex-button.disabled{color:#999;cursor:not-allowed}
.menu-bar{display:flex;justify-content:center;background:#fff;border-top:1px solid #ccd}
.menu-bar button{font:inherit;font-size:14px;padding:6px 18px;border:0;background:transparent;color:#333;cursor:pointer}
.rich-menu{position:relative;background:#fff;line-height:0}
.rich-menu img{width:100%;height:auto;display:block}
.rich-menu button{position:absolute;border:0;background:transparent;cursor:pointer;padding:0}
.rich-menu button:active{background:rgba(0,0,0,.12)}
`

// Plain JS (ES2020) run in the browser; kept small: all message rendering happens on the server.
const SCRIPT = `
(() => {
  'use strict'
  const api = document.body.dataset.api
  const $ = (id) => document.querySelector('[data-testid="' + id + '"]')
  const list = $('messages'), typing = $('typing'), chips = $('quick-replies'), scroller = $('scroller')
  const composer = $('composer'), idField = $('user-id'), status = $('connection')
  const KEY = 'lineSimulator.userId'
  const newId = () => 'Usim' + Array.from(crypto.getRandomValues(new Uint8Array(14)), (b) => b.toString(16).padStart(2, '0')).join('')

  let userId = ''
  let after = 0
  let epoch = 0 // bumped when the user id changes, so a poll in flight for the old id is dropped

  function useId(id) {
    userId = id.trim() || newId()
    localStorage.setItem(KEY, userId)
    idField.value = userId
    after = 0
    epoch++
    list.replaceChildren()
    chips.replaceChildren()
    typing.hidden = true
  }

  const clock = (at) => new Date(at).toLocaleTimeString('zh-TW', { hour: '2-digit', minute: '2-digit', hour12: false })
  const scrollDown = () => { scroller.scrollTop = scroller.scrollHeight }

  function row(kind, testid) {
    const el = document.createElement('div')
    el.className = 'row ' + kind
    el.dataset.testid = testid
    list.append(el)
    return el
  }
  function meta(at, via) {
    const m = document.createElement('div')
    m.className = 'meta'
    if (via) {
      const badge = document.createElement('span')
      badge.className = 'badge ' + via
      badge.dataset.testid = 'via'
      badge.textContent = via
      badge.title = via === 'push' ? '推播訊息（push）' : '回覆訊息（reply）'
      m.append(badge)
    }
    m.append(clock(at))
    return m
  }
  function addUser(text, kind) {
    const el = row('user', 'user-message')
    const bubble = document.createElement('div')
    bubble.className = 'bubble kind-' + (kind || 'text')
    bubble.textContent = text
    el.append(bubble, meta(Date.now()))
    scrollDown()
  }
  function addNote(text, isError) {
    const el = row(isError ? 'note error' : 'note', isError ? 'error' : 'note')
    const span = document.createElement('span')
    span.textContent = text
    el.append(span)
    scrollDown()
  }
  function addBot(message, via, at) {
    const el = row('bot', 'bot-message')
    el.dataset.type = message.type
    el.dataset.via = via
    const bubble = document.createElement('div')
    bubble.className = 'bubble kind-' + message.type
    bubble.innerHTML = message.html // rendered and escaped by the server
    el.append(bubble, meta(at, via))
  }

  async function send(body, echo, echoKind) {
    if (echo) addUser(echo, echoKind)
    chips.replaceChildren()
    try {
      const res = await fetch(api + '/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, ...body }) })
      if (!res.ok) addNote('送出失敗（HTTP ' + res.status + '）', true)
    } catch {
      addNote('送出失敗：連不到伺服器', true)
    }
  }

  function perform(action) {
    if (action.type === 'message') return send({ kind: 'text', text: action.text || action.label || '' }, action.text || action.label)
    // LINE shows a postback's displayText as the user's message, and nothing when there is none.
    if (action.type === 'postback') return send({ kind: 'postback', data: action.data || '' }, action.displayText)
    if (action.type === 'clipboard') {
      navigator.clipboard?.writeText(action.clipboardText || '').catch(() => {})
      addNote('已複製：' + (action.clipboardText || ''))
    }
  }

  document.addEventListener('click', (e) => {
    const target = e.target instanceof Element ? e.target.closest('[data-action]') : null
    if (!target) return
    e.preventDefault()
    perform(JSON.parse(target.dataset.action))
  })

  $('follow').addEventListener('click', () => { addNote('您已將小幫手加入好友'); send({ kind: 'follow' }) })
  $('unfollow').addEventListener('click', () => { addNote('您已封鎖小幫手'); send({ kind: 'unfollow' }) })
  $('sticker').addEventListener('click', () => send({ kind: 'sticker' }, '[貼圖]', 'sticker'))
  $('image').addEventListener('click', () => send({ kind: 'image' }, '[圖片]', 'image'))
  $('new-user').addEventListener('click', () => useId(newId()))
  idField.addEventListener('change', () => useId(idField.value))

  $('composer-form').addEventListener('submit', (e) => {
    e.preventDefault()
    const text = composer.value.trim()
    if (!text) return
    composer.value = ''
    send({ kind: 'text', text }, text)
  })
  // Enter that confirms an IME composition (注音、倉頡…) must not send the message.
  composer.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.isComposing || e.keyCode === 229)) e.preventDefault()
  })

  async function poll() {
    const mine = epoch
    try {
      const res = await fetch(api + '/messages?chatId=' + encodeURIComponent(userId) + '&after=' + after, { cache: 'no-store' })
      if (!res.ok) throw new Error('HTTP ' + res.status)
      const data = await res.json()
      status.textContent = '● 已連線'
      status.classList.remove('down')
      if (mine === epoch) {
        let last
        for (const d of data.deliveries) {
          for (const m of d.rendered) { addBot(m, d.via, d.at); last = m }
          after = Math.max(after, d.seq)
        }
        if (last) chips.innerHTML = last.quickReplies // LINE shows only the latest message's quick replies
        typing.hidden = !data.loading
        if (last || data.loading) scrollDown()
      }
    } catch {
      status.textContent = '● 連線中斷'
      status.classList.add('down')
    }
    setTimeout(poll, 400)
  }

  // The rich menu, as LINE draws it under the chat: the image with its tap areas, folded by the chat bar.
  const menuBox = $('rich-menu'), menuBar = $('rich-menu-bar'), menuToggle = $('rich-menu-toggle')
  let menuId = null
  async function loadMenu() {
    try {
      const res = await fetch(api + '/richmenu?userId=' + encodeURIComponent(userId), { cache: 'no-store' })
      const { menu } = await res.json()
      if (!menu) { menuId = null; menuBar.hidden = true; menuBox.hidden = true; return }
      if (menu.id === menuId) return
      menuId = menu.id
      menuToggle.textContent = menu.chatBarText + ' ▾'
      const img = document.createElement('img')
      img.src = api + '/richmenu/' + encodeURIComponent(menu.id) + '/image'
      img.alt = menu.chatBarText
      const areas = menu.areas.map((a) => {
        const b = document.createElement('button')
        b.type = 'button'
        b.dataset.testid = 'rich-menu-area'
        b.dataset.action = JSON.stringify(a.action)
        b.setAttribute('aria-label', a.action.label || a.action.displayText || '')
        const pct = (v, of) => (100 * v / of) + '%'
        b.style.left = pct(a.bounds.x, menu.size.width); b.style.top = pct(a.bounds.y, menu.size.height)
        b.style.width = pct(a.bounds.width, menu.size.width); b.style.height = pct(a.bounds.height, menu.size.height)
        return b
      })
      menuBox.replaceChildren(img, ...areas)
      menuBar.hidden = false
    } catch {}
  }
  menuToggle.addEventListener('click', () => { menuBox.hidden = !menuBox.hidden })

  useId(localStorage.getItem(KEY) || '')
  poll()
  loadMenu()
  setInterval(loadMenu, 3000)
})()
`

export function SimulatorPage({ apiBase }: { apiBase: string }) {
  return (
    <html lang="zh-Hant-TW">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <title>{SIMULATOR_TITLE}</title>
        <link rel="icon" href="data:," />
        <style>{raw(CSS)}</style>
      </head>
      <body data-api={apiBase}>
        <div class="app">
          <header data-testid="header">
            <span class="status" data-testid="connection" aria-live="polite"></span>
            <h1>{SIMULATOR_TITLE}</h1>
            <p>本機模擬器：訊息只在這台電腦上模擬，不會送到 LINE。</p>
          </header>
          <section class="controls" aria-label="模擬使用者">
            <label>
              使用者 ID
              <input data-testid="user-id" autocomplete="off" aria-label="使用者 ID" />
            </label>
            <button type="button" data-testid="new-user" title="換一個新的使用者 ID">
              新使用者
            </button>
            <button type="button" data-testid="follow">
              加入好友
            </button>
            <button type="button" data-testid="unfollow">
              封鎖
            </button>
            <button type="button" data-testid="sticker">
              貼圖
            </button>
            <button type="button" data-testid="image">
              圖片
            </button>
          </section>
          <main class="scroller" data-testid="scroller">
            <div data-testid="messages" role="log" aria-live="polite" aria-label="對話"></div>
            <div class="row bot typing" data-testid="typing" hidden aria-label="小幫手正在輸入">
              <div class="bubble">
                <span class="dot">●</span>
                <span class="dot">●</span>
                <span class="dot">●</span>
              </div>
            </div>
          </main>
          <div class="chips" data-testid="quick-replies" aria-label="快速回覆"></div>
          <form class="composer" data-testid="composer-form" autocomplete="off">
            <input data-testid="composer" placeholder="輸入訊息" aria-label="輸入訊息" enterkeyhint="send" />
            <button type="submit" data-testid="send">
              送出
            </button>
          </form>
          <div class="menu-bar" data-testid="rich-menu-bar" hidden>
            <button type="button" data-testid="rich-menu-toggle" aria-label="圖文選單"></button>
          </div>
          <div class="rich-menu" data-testid="rich-menu" hidden></div>
        </div>
        <script>{raw(SCRIPT)}</script>
      </body>
    </html>
  )
}

export function renderSimulatorPage(apiBase: string): string {
  return `<!doctype html>${toHtml(<SimulatorPage apiBase={apiBase} />)}`
}
