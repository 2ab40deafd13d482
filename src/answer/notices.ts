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
  const notices: string[] = []
  for (const c of citations) {
    const label = `〔${c.n}〕`
    const closedWindow = c.windowCloses !== null && parsePartialDate(c.windowCloses) < now
    if (c.kind === 'programme' && (c.status === 'closed' || closedWindow)) {
      const when = c.windowCloses ? `（收件至 ${c.windowCloses}）` : ''
      notices.push(`${label}此梯次已截止${when}，最新公告請洽計畫主管機關或計畫辦公室，或輸入「找顧問」。`)
    } else if (c.status === 'planned') {
      notices.push(`${label}此計畫尚未公告受理，內容以正式公告為準。`)
    } else if (c.sourceDate && now.getTime() - parsePartialDate(c.sourceDate).getTime() > STALE_YEARS * 365 * 86_400_000) {
      notices.push(`${label}資料日期為 ${c.sourceDate}，內容可能已有更新。`)
    }
  }
  return notices
}

export function sourceLine(c: Citation): string {
  const section = c.headingPath.filter((h) => h !== c.title).at(-1)
  const date = c.sourceDate ? `（資料日期 ${c.sourceDate}）` : ''
  return `〔${c.n}〕${c.title}${section ? `｜${section}` : ''}${date}`
}
