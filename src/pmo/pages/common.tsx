import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import MarkdownIt from 'markdown-it'
import type { Session } from '../../console/auth.js'
import { Layout } from '../../console/layout.js'

/** Raw HTML in documents is shown as text, never run: the console must not execute what a file carries. */
const md = new MarkdownIt({ html: false, linkify: false, breaks: false })

export function RenderedMarkdown({ source }: { source: string }) {
  return <div class="md">{raw(md.render(source))}</div>
}

type Section = 'kb' | 'try' | 'learn' | 'data' | 'campaigns'

/** The PMO pages share one sub-navigation under the console's top bar. */
export function PmoPage(props: { title: string; session: Session; section: Section; children: Child; flash?: string | undefined; error?: string | undefined }) {
  const tab = (s: Section, href: string, label: string) => (
    <a href={href} class={props.section === s ? 'active' : ''}>
      {label}
    </a>
  )
  return (
    <Layout title={props.title} session={props.session} flash={props.flash} error={props.error}>
      <nav class="tabs" aria-label="PMO">
        {tab('kb', '/console/kb', '知識文件')}
        {tab('try', '/console/kb/try', '試問')}
        {tab('learn', '/console/learn', '洞察與統計')}
        {tab('data', '/console/data', '計畫規則與健檢題目')}
        {tab('campaigns', '/console/campaigns', '推播活動')}
      </nav>
      <style>{raw(PMO_CSS)}</style>
      {props.children}
    </Layout>
  )
}

export const STATUS_LABEL: Record<string, string> = { current: '受理中／現行', closed: '已截止', planned: '規劃中' }
export const STATE_LABEL: Record<string, string> = { file: '檔案（未經後台編輯）', published: '已發布', draft: '草稿', retired: '已下架' }
export const KIND_LABEL: Record<string, string> = { programme: '計畫', case: '案例', reference: '參考資料', faq: '常見問答' }
export const ACTION_LABEL: Record<string, string> = {
  create: '新增草稿', edit: '編輯草稿', upload: '上傳', publish: '發布', retire: '下架', restore: '還原', import: '匯入檔案',
}

const PMO_CSS = `
.md h1,.md h2,.md h3{margin:.8rem 0 .4rem}.md table{margin:.5rem 0}.md td,.md th{border:1px solid #dde3e8}
.chunk{border-left:4px solid #06c755;background:#fff;padding:.5rem .8rem;margin:.5rem 0;white-space:pre-wrap;font-size:.92rem}
.chunk .path{font-weight:600;color:#0b6e4f;white-space:normal}
.toolbar{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.5rem 0}
.badge.draft{background:#fff4d6;color:#7a5300}.badge.retired{background:#eceff1;color:#546e7a}.badge.published{background:#e3f9e5;color:#1b5e20}
.badge.closed{background:#fdecea;color:#b71c1c}.badge.planned{background:#e8eaf6;color:#283593}.badge.current{background:#e3f9e5;color:#1b5e20}
textarea.code{font-family:ui-monospace,monospace;min-height:24rem;font-size:.9rem}
textarea.body{min-height:18rem}textarea.cards{min-height:10rem;font-family:monospace}.checks{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.25rem 0 .75rem}label.check{display:inline-flex;align-items:center;gap:.35rem;font-weight:normal}label.check input{width:auto}fieldset.card legend{font-weight:bold}
.field-error{font-size:.9rem;margin:.2rem 0}
.progress{height:1.4rem;background:#e4e8ec;border-radius:999px;overflow:hidden}.progress>div{height:100%;background:#06c755;transition:width .3s}
svg.chart{width:100%;height:auto;background:#fff}svg.chart text{font-size:13px;fill:#52606d}
.kpis{display:flex;flex-wrap:wrap;gap:.8rem;margin-bottom:1rem}.kpi{background:#fff;border:1px solid #dde3e8;border-radius:10px;padding:.6rem 1rem;min-width:9rem}.kpi b{display:block;font-size:1.4rem}
pre.raw{white-space:pre-wrap;background:#fff;border:1px solid #dde3e8;padding:.8rem;border-radius:8px;font-size:.88rem}
`
