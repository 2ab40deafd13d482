import type TurndownService from 'turndown'

/**
 * Uploaded files → Markdown for review. Word files go through mammoth (docx → semantic HTML: headings,
 * lists, tables) and turndown (HTML → Markdown); PDFs through Mozilla's pdf.js text layer. Both are
 * well-kept libraries: we never parse the formats ourselves.
 */

export const UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024
/**
 * What a .docx may unzip to. Word's XML packs about 10:1 and pictures not at all, so a genuine 5 MB
 * file stays well under this; a zip bomb (a small file that unzips to hundreds of MB) does not.
 */
export const UNZIPPED_LIMIT_BYTES = 60 * 1024 * 1024
/** Converted text: several times the longest programme guideline we hold (about 60,000 characters). */
export const CONVERTED_LIMIT_CHARS = 500_000

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

/**
 * What can be refused from the bytes alone, at once (size, format, a zip directory promising more than
 * the limit), and what kind of file it is. Word and PDF need the heavy converters, which run isolated.
 */
export function precheckUpload(fileName: string, bytes: Uint8Array): Converted['kind'] {
  if (bytes.byteLength === 0) throw new ConversionError('檔案是空的，請重新選擇檔案。')
  if (bytes.byteLength > UPLOAD_LIMIT_BYTES) throw new ConversionError('檔案超過 5 MB，請拆成較小的檔案再上傳。')
  const ext = extensionOf(fileName)
  switch (ext) {
    case 'md':
    case 'markdown':
      return 'md'
    case 'txt':
      return 'txt'
    case 'docx':
      refuseZipBomb(bytes)
      return 'docx'
    case 'pdf':
      return 'pdf'
    case 'doc':
      throw new ConversionError('不支援舊版 Word（.doc）檔，請在 Word 中另存為 .docx 後再上傳。')
    default:
      throw new ConversionError(`不支援「.${ext || '（無副檔名）'}」檔案。可上傳的格式：.md、.txt、.docx、.pdf（文字型）。`)
  }
}

export async function convertUpload(fileName: string, bytes: Uint8Array): Promise<Converted> {
  const kind = precheckUpload(fileName, bytes)
  switch (kind) {
    case 'docx':
      return finish(await docxToMarkdown(bytes), kind)
    case 'pdf':
      return finish(await pdfToMarkdown(bytes), kind)
    default:
      return fromText(decodeText(bytes), kind)
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
  if (markdown.length > CONVERTED_LIMIT_CHARS) {
    throw new ConversionError(`轉換後的文字超過 ${CONVERTED_LIMIT_CHARS.toLocaleString('en-US')} 字，請拆成幾份較小的文件再上傳。`)
  }
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

/** HTML → Markdown. Loaded on first use: the bot converts uploads in a child process, so its own heap never holds the converters. */
let turndownService: Promise<TurndownService> | undefined
function htmlToMarkdown(html: string): Promise<string> {
  turndownService ??= import('turndown').then(({ default: Turndown }) => {
    const turndown = new Turndown({ headingStyle: 'atx', bulletListMarker: '-', codeBlockStyle: 'fenced' })
    // Tables as Markdown tables, so the chunker keeps rows with their header.
    turndown.addRule('table', {
      filter: 'table',
      replacement: (_content, node) => `\n\n${tableToMarkdown(node as unknown as HTMLTableElement)}\n\n`,
    })
    turndown.remove(['script', 'style'])
    return turndown
  })
  return turndownService.then((turndown) => turndown.turndown(html))
}

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

/**
 * Refuses a .docx whose zip directory says it unzips past the limit, before anything is unzipped.
 * A file that lies in its directory is caught later: the unzipper checks each entry's real size
 * against the declared one, and conversion runs in a thread with a memory and time limit
 * (convert-isolated.ts).
 */
function refuseZipBomb(bytes: Uint8Array): void {
  const declared = declaredUnzippedSize(bytes)
  if (declared === undefined) throw new ConversionError('無法讀取這個 Word 檔（檔案可能已損毀或不是 .docx 格式）。')
  if (declared > UNZIPPED_LIMIT_BYTES) {
    throw new ConversionError(`這個 Word 檔解壓縮後超過 ${UNZIPPED_LIMIT_BYTES / 1024 / 1024} MB，無法匯入。請移除大型圖片或拆成較小的檔案再上傳。`)
  }
}

/**
 * The sum of the uncompressed sizes in a zip's central directory (APPNOTE 4.3.12/4.3.16), or
 * undefined when the file is not a zip. ZIP64 sizes (0xFFFFFFFF) count as infinite: no Word
 * document needs them.
 */
export function declaredUnzippedSize(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const EOCD = 0x06054b50
  const CENTRAL = 0x02014b50
  let end = -1
  // The end record is 22 bytes plus a comment of at most 65,535 bytes, at the end of the file.
  for (let i = bytes.byteLength - 22; i >= Math.max(0, bytes.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      end = i
      break
    }
  }
  if (end < 0) return undefined
  const entries = view.getUint16(end + 10, true)
  let at = view.getUint32(end + 16, true)
  let total = 0
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.byteLength || view.getUint32(at, true) !== CENTRAL) return undefined
    const size = view.getUint32(at + 24, true)
    if (size === 0xffffffff) return Infinity
    total += size
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true)
  }
  return total
}

async function docxToMarkdown(bytes: Uint8Array): Promise<string> {
  const { default: mammoth } = await import('mammoth')
  let html: string
  try {
    const result = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) }, { ignoreEmptyParagraphs: true })
    html = result.value
  } catch {
    throw new ConversionError('無法讀取這個 Word 檔（檔案可能已損毀或不是 .docx 格式）。')
  }
  // Images are not knowledge we can cite; mammoth inlines them as data URIs.
  return htmlToMarkdown(html.replace(/<img[^>]*>/g, ''))
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
