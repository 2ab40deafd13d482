import { answerCopy } from './copy.js'
import type { Citation } from './types.js'

/** Information older than this is flagged as possibly outdated. */
const STALE_YEARS = 2

function parsePartialDate(value: string): Date {
  const [y, m = '12', d = '28'] = value.split('-')
  return new Date(`${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}T00:00:00Z`)
}

/**
 * Warnings a cited source needs so that nothing closed or old is presented as current:
 * a closed application window, a programme not yet open, or an old document.
 */
export function noticesFor(citations: Citation[], now: Date): string[] {
  // Sources with the same warning share one line: 〔1〕〔2〕此梯次已截止…
  const byText = new Map<string, number[]>()
  for (const c of citations) {
    const text = noticeOf(c, now)
    if (text) byText.set(text, [...(byText.get(text) ?? []), c.n])
  }
  return [...byText].map(([text, ns]) => `${ns.map((n) => `〔${n}〕`).join('')}${text}`)
}

function noticeOf(c: Citation, now: Date): string | undefined {
  const closedWindow = c.windowCloses !== null && parsePartialDate(c.windowCloses) < now
  if (c.kind === 'programme' && (c.status === 'closed' || closedWindow)) return answerCopy.notice.closed(c.windowCloses)
  if (c.status === 'planned') return answerCopy.notice.planned
  if (c.sourceDate && now.getTime() - parsePartialDate(c.sourceDate).getTime() > STALE_YEARS * 365 * 86_400_000) return answerCopy.notice.stale(c.sourceDate)
  return undefined
}

export function sourceLine(c: Citation): string {
  const section = c.headingPath.filter((h) => h !== c.title).at(-1)
  const date = c.sourceDate ? answerCopy.notice.sourceDate(c.sourceDate) : ''
  return `〔${c.n}〕${c.title}${section ? `｜${section}` : ''}${date}`
}
