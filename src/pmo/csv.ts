/**
 * CSV for Excel: UTF-8 with a byte-order mark (without it Excel reads Chinese as Big5/ANSI garbage),
 * CRLF line ends, every field quoted when needed. A field starting with = + - @ is prefixed with an
 * apostrophe so a user's question can never run as a spreadsheet formula.
 */
export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  const field = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return ''
    let s = String(v)
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
  }
  return `\uFEFF${[header, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`
}
