import { describe, expect, it } from 'vitest'
import { menuItems, messageItem, postbackItem, text } from '../../src/chat/messages.js'
import { renderMessage, renderSimulatorPage } from '../../src/simulator/page.js'

const unescape = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** The actions the page's script would perform, in order. */
const actions = (html: string) => [...html.matchAll(/data-action="([^"]*)"/g)].map((m) => JSON.parse(unescape(m[1]!)) as Record<string, unknown>)

const render = (m: unknown) => renderMessage(m as Record<string, unknown>)

describe('simulator message rendering', () => {
  it('renders text escaped, line breaks kept for pre-wrap, and no chips without quick replies', () => {
    const r = render(text('<script>alert(1)</script> & 1\n2'))
    expect(r).toEqual({ type: 'text', html: '<div class="text">&lt;script&gt;alert(1)&lt;/script&gt; &amp; 1\n2</div>', quickReplies: '' })
  })

  it('renders quick replies as chips carrying only the fields the page needs', () => {
    const r = render(text('選單', [...menuItems(), messageItem('刪除我的資料'), { type: 'action', action: { type: 'camera', label: '相機' } }]))
    expect(r.quickReplies.match(/data-testid="quick-reply"/g)).toHaveLength(7)
    expect(actions(r.quickReplies)).toEqual([
      { type: 'postback', label: '問計畫問題', data: 'action=ask', displayText: '問計畫問題' },
      { type: 'postback', label: '數位程度評測', data: 'action=assess', displayText: '數位程度評測' },
      { type: 'postback', label: '找真人顧問', data: 'action=consultant', displayText: '找真人顧問' },
      { type: 'postback', label: '訂閱通知', data: 'action=subscribe', displayText: '訂閱通知' },
      { type: 'postback', label: '我的資料', data: 'action=my-data', displayText: '我的資料' },
      { type: 'message', label: '刪除我的資料', text: '刪除我的資料' },
    ])
    expect(r.quickReplies).toMatch(/<button[^>]*disabled[^>]*>相機<\/button>/)
  })

  it('links safe URIs only', () => {
    const items = [
      { type: 'action', action: { type: 'uri', label: '官網', uri: 'https://example.com/?a=1&b=2' } },
      { type: 'action', action: { type: 'uri', label: '壞', uri: 'javascript:alert(1)' } },
    ]
    const r = render({ type: 'text', text: 'x', quickReply: { items } })
    expect(r.quickReplies).toContain('href="https://example.com/?a=1&amp;b=2"')
    expect(r.quickReplies).toContain('rel="noopener noreferrer"')
    expect(r.quickReplies).not.toContain('javascript:')
  })

  it('walks a Flex bubble: bold and sized text, separator, image placeholder, buttons and links', () => {
    const r = render({
      type: 'flex',
      altText: '替代文字',
      contents: {
        type: 'bubble',
        hero: { type: 'image', url: 'https://example.com/a.png' },
        body: {
          type: 'box',
          layout: 'vertical',
          contents: [
            { type: 'text', text: '標題', weight: 'bold', size: 'lg', color: '#B45309' },
            { type: 'separator', margin: 'md' },
            { type: 'text', text: '紅字', color: 'red;background:url(https://evil)' },
            { type: 'box', layout: 'horizontal', contents: [{ type: 'text', text: '左', flex: 0 }, { type: 'text', contents: [{ type: 'span', text: '右', weight: 'bold' }] }] },
            { type: 'mystery' },
          ],
        },
        footer: {
          type: 'box',
          layout: 'vertical',
          contents: [
            { type: 'button', style: 'primary', action: { type: 'postback', label: '看這個', data: 'a=1', displayText: '我要看' } },
            { type: 'button', action: { type: 'message', label: '選單', text: '選單' } },
            { type: 'button', action: { type: 'uri', label: '官方網站', uri: 'https://example.com/' } },
          ],
        },
      },
      quickReply: { items: [postbackItem('取消', 'action=cancel')] },
    })
    expect(r.type).toBe('flex')
    expect(r.html).toContain('data-alt-text="替代文字"')
    expect(r.html).toMatch(/<div class="flex-text" data-testid="flex-text" style="font-weight:bold;font-size:17px;color:#B45309">標題<\/div>/)
    expect(r.html).toContain('<hr class="flex-separator" style="margin-top:8px"/>')
    expect(r.html).toMatch(/<div class="flex-text" data-testid="flex-text">紅字<\/div>/) // the invalid colour is dropped
    expect(r.html).not.toContain('evil')
    expect(r.html).toContain('style="flex:0 0 auto"')
    expect(r.html).toContain('<span style="font-weight:bold">右</span>')
    expect(r.html).toContain('data-testid="flex-image"')
    expect(r.html).not.toContain('<img')
    expect(r.html).toContain('[mystery]')
    expect(actions(r.html)).toEqual([
      { type: 'postback', label: '看這個', data: 'a=1', displayText: '我要看' },
      { type: 'message', label: '選單', text: '選單' },
    ])
    expect(r.html).toMatch(/<a class="flex-button link" data-testid="flex-button" href="https:\/\/example.com\/"[^>]*>官方網站<\/a>/)
    expect(actions(r.quickReplies)).toEqual([{ type: 'postback', label: '取消', data: 'action=cancel', displayText: '取消' }])
  })

  it('renders every bubble of a carousel, and the altText when the contents are unknown', () => {
    const bubble = { type: 'bubble', body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: '卡' }] } }
    const carousel = render({ type: 'flex', altText: 'a', contents: { type: 'carousel', contents: [bubble, bubble, bubble] } })
    expect(carousel.html).toContain('data-testid="flex-carousel"')
    expect(carousel.html.match(/data-testid="flex-bubble"/g)).toHaveLength(3)
    expect(render({ type: 'flex', altText: '只看得到替代文字', contents: { type: 'future' } }).html).toContain('只看得到替代文字')
    expect(render({ type: 'flex' }).html).toContain('[flex]')
  })

  it('shows other message types by type (and altText when they have one)', () => {
    expect(render({ type: 'sticker', packageId: '1', stickerId: '1' }).html).toBe('<div class="other">[sticker]</div>')
    expect(render({ type: 'template', altText: '請選擇', template: {} }).html).toContain('[template]<span class="alt"> 請選擇</span>')
  })
})

describe('simulator page', () => {
  it('is self-contained, in Traditional Chinese, with the controls the tests use', () => {
    const html = renderSimulatorPage('/simulator/api')
    expect(html.startsWith('<!doctype html><html lang="zh-Hant-TW">')).toBe(true)
    expect(html).toContain('<title>中小企業數位轉型小幫手（模擬器）</title>')
    expect(html).toContain('data-api="/simulator/api"')
    for (const id of ['header', 'user-id', 'follow', 'unfollow', 'sticker', 'image', 'messages', 'typing', 'quick-replies', 'composer', 'send']) {
      expect(html).toContain(`data-testid="${id}"`)
    }
    for (const label of ['加入好友', '封鎖', '貼圖', '圖片', '送出']) expect(html).toContain(`>${label}</button>`)
    // No external assets: no script or stylesheet sources, nothing fetched from another origin.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\//)
  })
})
