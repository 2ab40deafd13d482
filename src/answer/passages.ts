/**
 * Turning stored Markdown chunks into phone-readable units: table rows become "label：value" lines
 * (so each number keeps its row and column labels), emphasis marks go, and prose splits into sentences.
 */

function cells(row: string): string[] {
  return row.replace(/^\s*\|/, '').replace(/\|\s*$/, '').split('|').map((c) => c.trim())
}

const isDivider = (row: string) => /^\s*\|?\s*:?-{2,}/.test(row)

/** A Markdown table as readable lines: "第一欄值：欄名 值；欄名 值". */
export function tableToLines(lines: string[]): string[] {
  const header = cells(lines[0] ?? '')
  const rows = lines.slice(1).filter((l) => !isDivider(l))
  return rows.map((row) => {
    const values = cells(row)
    const [first, ...rest] = values
    const pairs = rest.map((v, i) => `${header[i + 1] ?? ''} ${v}`.trim()).filter((p) => p.length > 0)
    return `${header[0] ? `${header[0]} ` : ''}${first ?? ''}：${pairs.join('；')}`
  })
}

/** Units an answer is built from: sentences of prose, lines of tables and lists. */
export function toUnits(markdown: string): string[] {
  const units: string[] = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; ) {
    if (/^\s*\|/.test(lines[i]!)) {
      const table: string[] = []
      while (i < lines.length && /^\s*\|/.test(lines[i]!)) table.push(lines[i++]!)
      units.push(...tableToLines(table))
      continue
    }
    const line = clean(lines[i++]!)
    if (!line) continue
    if (/^([-*•]|\d+[.)、])\s*/.test(line)) {
      units.push(line.replace(/^[-*]\s*/, '・'))
      continue
    }
    // Sentence ends, keeping the punctuation with its sentence.
    units.push(...(line.match(/[^。！？；]+[。！？；]?/g) ?? [line]).map((s) => s.trim()).filter(Boolean))
  }
  return units
}

export function clean(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/__(.+?)__/g, '$1')
    .replace(/^#+\s*/, '')
    .replace(/^>\s*/, '')
    .trim()
}
