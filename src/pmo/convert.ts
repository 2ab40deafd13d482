import mammoth from 'mammoth'
import TurndownService from 'turndown'

/**
 * Uploaded files → Markdown for review. Word files go through mammoth (docx → semantic HTML: headings,
 * lists, tables) and turndown (HTML → Markdown); PDFs through Mozilla's pdf.js text layer. Both are
 * well-kept libraries: we never parse the formats ourselves.
 */

export const UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024

/** A file we cannot turn into Markdown; `message` is zh-TW copy for the PMO page. */
export class ConversionError extends Error {
  override name = 'ConversionError'
}

export interface Converted {
  markdown: string
  /** The first heading (or first short line), a starting point for the title field. */
  title: string | undefined
  /** A front-matter block found at the top of an uploaded .md file (YAML text without the fences). */
  frontMatter: string | undefined
  kind: 'md' | 'txt' | 'docx' | 'pdf'
}

const extensionOf = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? ''

export async function convertUpload(fileName: string, bytes: Uint8Array): Promise<Converted> {
  if (bytes.byteLength === 0) throw new ConversionError('檔案是空的，請重新選擇檔案。')
  if (bytes.byteLength > UPLOAD_LIMIT_BYTES) throw new ConversionError('檔案超過 5 MB，請拆成較小的檔案再上傳。')
  const ext = extensionOf(fileName)
  switch (ext) {
    case 'md':
    case 'markdown':
      return fromText(decodeText(bytes), 'md')
    case 'txt':
      return fromText(decodeText(bytes), 'txt')
    case 'docx':
      return finish(await docxToMarkdown(bytes), 'docx')
    case 'pdf':
      return finish(await pdfToMarkdown(bytes), 'pdf')
    case 'doc':
      throw new ConversionError('不支援舊版 Word（.doc）檔，請在 Word 中另存為 .docx 後再上傳。')
    default:
      throw new ConversionError(`不支援「.${ext || '（無副檔名）'}」檔案。可上傳的格式：.md、.txt、.docx、.pdf（文字型）。`)
  }
}

/** UTF-8 only (with or without BOM): a Big5 file would turn into garbage, so it is refused. */
function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    throw new ConversionError('文字檔不是 UTF-8 編碼（可能是 Big5），請另存為 UTF-8 後再上傳。')
  }
}

function fromText(text: string, kind: 'md' | 'txt'): Converted {
  if (text.includes('\u0000')) throw new ConversionError('這個檔案看起來不是文字檔，請確認副檔名是否正確。')
  let body = text.replace(/\r\n?/g, '\n')
  let frontMatter: string | undefined
  const fm = /^\uFEFF?---\n([\s\S]*?)\n---\n?/.exec(body)
  if (kind === 'md' && fm) {
    frontMatter = fm[1]
    body = body.slice(fm[0].length)
  }
  return finish(body, kind, frontMatter)
}

function finish(markdown: string, kind: Converted['kind'], frontMatter?: string): Converted {
  const clean = markdown.replace(/\n{3,}/g, '\n\n').trim()
  if (clean.replace(/[#>*_\-|\s]/g, '').length === 0) {
    throw new ConversionError(
      kind === 'pdf' ? '這個 PDF 沒有可擷取的文字（可能是掃描影像），請上傳文字型 PDF 或 Word 檔。' : '檔案中沒有可用的文字內容。',
    )
  }
  return { markdown: clean, title: titleOf(clean), frontMatter, kind }
}

function titleOf(markdown: string): string | undefined {
  const heading = /^#{1,3}\s+(.+)$/m.exec(markdown)?.[1]
  const line = heading ?? markdown.split('\n').find((l) => l.trim().length > 0)
  const t = line?.replace(/[#*_`]/g, '').trim()
  return t && t.length <= 60 ? t : t?.slice(0, 60)
}

const turndown = new TurndownService({ headingStyle: 'atx', bulletListMarker: '-', codeBlockStyle: 'fenced' })
// Tables as Markdown tables, so the chunker keeps rows with their header.
turndown.addRule('table', {
  filter: 'table',
  replacement: (_content, node) => `\n\n${tableToMarkdown(node as unknown as HTMLTableElement)}\n\n`,
})
turndown.remove(['script', 'style'])

function cellText(cell: Element): string {
  return (cell.textContent ?? '').replace(/\s+/g, ' ').replace(/\|/g, '｜').trim()
}

function tableToMarkdown(table: HTMLTableElement): string {
  const rows = Array.from(table.querySelectorAll('tr')).map((tr) => Array.from(tr.querySelectorAll('th,td')).map(cellText))
  if (rows.length === 0) return ''
  const width = Math.max(...rows.map((r) => r.length))
  const pad = (r: string[]) => [...r, ...Array(width - r.length).fill('')]
  const [head, ...rest] = rows.map(pad)
  return [`| ${head!.join(' | ')} |`, `| ${head!.map(() => '---').join(' | ')} |`, ...rest.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

async function docxToMarkdown(bytes: Uint8Array): Promise<string> {
  let html: string
  try {
    const result = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) }, { ignoreEmptyParagraphs: true })
    html = result.value
  } catch {
    throw new ConversionError('無法讀取這個 Word 檔（檔案可能已損毀或不是 .docx 格式）。')
  }
  // Images are not knowledge we can cite; mammoth inlines them as data URIs.
  return turndown.turndown(html.replace(/<img[^>]*>/g, ''))
}

interface PdfTextItem {
  str: string
  hasEOL?: boolean
  transform?: number[]
  height?: number
}

async function pdfToMarkdown(bytes: Uint8Array): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  let doc: Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>
  try {
    doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise
  } catch (error) {
    const name = (error as Error).name
    if (name === 'PasswordException') throw new ConversionError('這個 PDF 有密碼保護，請移除密碼後再上傳。')
    throw new ConversionError('無法讀取這個 PDF（檔案可能已損毀或不是 PDF）。')
  }
  try {
    const pages: string[] = []
    for (let p = 1; p <= doc.numPages; p++) {
      const page = await doc.getPage(p)
      const content = await page.getTextContent()
      pages.push(pageText(content.items as PdfTextItem[]))
    }
    return pages.join('\n\n')
  } finally {
    await doc.destroy()
  }
}

/**
 * The text layer in reading order: items that end a line break it; a vertical jump larger than a
 * line starts a new paragraph. PDFs carry no headings, so the reviewer adds them.
 */
function pageText(items: PdfTextItem[]): string {
  let out = ''
  let lastY: number | undefined
  for (const item of items) {
    const y = item.transform?.[5]
    const h = item.height || 10
    if (lastY !== undefined && y !== undefined && Math.abs(lastY - y) > h * 1.8 && !out.endsWith('\n\n')) out = out.replace(/\n?$/, '\n\n')
    out += item.str
    if (item.hasEOL) out += '\n'
    if (y !== undefined) lastY = y
  }
  // CJK lines wrapped by the layout are joined again; latin lines keep a space.
  // Fonts' radical glyphs (⽤ U+2F64) come out of some PDFs instead of the ideograph (用); NFKC maps them back.
  return out
    .replace(/[\u2E80-\u2FDF]/g, (ch) => ch.normalize('NFKC'))
    .replace(/([\p{Script=Han}，。、；：）])\n(?=[\p{Script=Han}（])/gu, '$1')
    .replace(/[ \t]+\n/g, '\n')
}
