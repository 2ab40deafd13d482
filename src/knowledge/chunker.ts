import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters'

export interface Chunk {
  ord: number
  /** Headings above this piece, outermost first (the document title is not included). */
  headingPath: string[]
  text: string
}

/** Sized for Chinese: about 600 characters carries one topic and fits a phone answer's context. */
export const CHUNK_TARGET = 600
const CHUNK_MAX = 900

const proseSplitter = new RecursiveCharacterTextSplitter({
  chunkSize: CHUNK_TARGET,
  chunkOverlap: 60,
  separators: ['\n\n', '\n', '。', '；', '！', '？', '，', ' ', ''],
  keepSeparator: true,
})

interface Block {
  kind: 'prose' | 'table'
  lines: string[]
}

/**
 * Splits a Markdown body into chunks by headings, keeping each chunk's heading path. Tables stay
 * whole when they fit; a big table is cut between rows and every piece repeats the header row, so a
 * number never loses its row and column labels.
 */
export async function chunkMarkdown(body: string): Promise<Chunk[]> {
  const sections: { path: string[]; lines: string[] }[] = []
  const path: string[] = []
  let current = { path: [] as string[], lines: [] as string[] }
  sections.push(current)
  let inFence = false
  for (const line of body.split(/\r?\n/)) {
    if (/^```/.test(line)) inFence = !inFence
    const heading = inFence ? null : /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line)
    if (heading) {
      const level = heading[1]!.length
      path.length = Math.max(0, level - 1)
      path[level - 1] = heading[2]!
      current = { path: path.filter(Boolean), lines: [] }
      sections.push(current)
    } else {
      current.lines.push(line)
    }
  }

  const chunks: Chunk[] = []
  for (const section of sections) {
    const pieces = await splitSection(section.lines)
    for (const text of pieces) chunks.push({ ord: chunks.length, headingPath: section.path, text })
  }
  return chunks
}

async function splitSection(lines: string[]): Promise<string[]> {
  const text = lines.join('\n').trim()
  if (!text) return []
  if (text.length <= CHUNK_MAX) return [text]
  const out: string[] = []
  let prose: string[] = []
  const flushProse = async () => {
    const t = prose.join('\n').trim()
    prose = []
    if (t) out.push(...(await proseSplitter.splitText(t)).map((s) => s.trim()).filter(Boolean))
  }
  for (const block of blocksOf(lines)) {
    if (block.kind === 'table') {
      await flushProse()
      out.push(...splitTable(block.lines))
    } else {
      prose.push(...block.lines)
    }
  }
  await flushProse()
  return mergeSmall(out)
}

function blocksOf(lines: string[]): Block[] {
  const blocks: Block[] = []
  for (const line of lines) {
    const kind = /^\s*\|/.test(line) ? 'table' : 'prose'
    const last = blocks.at(-1)
    if (last && last.kind === kind) last.lines.push(line)
    else blocks.push({ kind, lines: [line] })
  }
  return blocks
}

function splitTable(lines: string[]): string[] {
  const table = lines.join('\n')
  if (table.length <= CHUNK_MAX) return [table]
  const hasDivider = lines.length > 1 && /^\s*\|?\s*:?-{2,}/.test(lines[1]!)
  const header = hasDivider ? lines.slice(0, 2) : lines.slice(0, 1)
  const rows = lines.slice(header.length)
  const pieces: string[] = []
  let piece: string[] = []
  for (const row of rows) {
    if (piece.length > 0 && [...header, ...piece, row].join('\n').length > CHUNK_TARGET) {
      pieces.push([...header, ...piece].join('\n'))
      piece = []
    }
    piece.push(row)
  }
  if (piece.length > 0) pieces.push([...header, ...piece].join('\n'))
  return pieces
}

/** Joins fragments too small to stand alone with their neighbour. */
function mergeSmall(pieces: string[]): string[] {
  const out: string[] = []
  for (const p of pieces) {
    const last = out.at(-1)
    if (last !== undefined && (p.length < 80 || last.length < 80) && last.length + p.length < CHUNK_MAX && !p.startsWith('|') && !last.includes('\n|')) {
      out[out.length - 1] = `${last}\n${p}`
    } else {
      out.push(p)
    }
  }
  return out
}
