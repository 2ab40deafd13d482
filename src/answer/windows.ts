import { sql } from 'drizzle-orm'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'

/** Questions about when one can apply: they are answered first with what is open now. */
export const ASKS_WINDOW = /什麼時候(可以|能|開始|截止)?(申請|報名|收件|受理)|何時(可以|能|開始)?(申請|報名|收件|受理|截止)|(申請|報名|收件|受理)(期間|時間|日期|截止)|(申請|報名|收件|受理)[^，,。？?]{0,3}(到|至)(什麼時候|何時|幾月|幾號|哪一?天)|截止|現在(還)?(可以|能)申請|還(可以|能)申請|開放申請|哪時候|\bwhen can\b|\bdeadline\b|\bapply now\b|\bopen for application/i

interface WindowRow {
  title: string
  programme: string | null
  window_opens: string | null
  window_closes: string | null
}

function day(value: string): Date {
  const [y, m = '12', d = '28'] = value.split('-')
  return new Date(`${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}T23:59:59+08:00`)
}

/** 2024-06-17 → 113/06/17（2024-06-17）: written as the programmes' notices write dates (ROC calendar), with the Western date beside it. */
export function rocDate(value: string): string {
  const [y, m, d] = value.split('-')
  const roc = [String(Number(y) - 1911), m, d].filter(Boolean).join('/')
  return `${roc}（${value}）`
}

/**
 * What is open now, computed from the clock and the documents' application windows: for the
 * programmes asked about, or for every programme with a window when none is named.
 */
export async function windowLine(db: Db, programmeIds: string[], now: Date): Promise<string | undefined> {
  const rows = rowsOf<WindowRow>(
    await db.execute(sql`
      SELECT DISTINCT title, programme, window_opens, window_closes FROM kb_documents
      WHERE window_closes IS NOT NULL ${programmeIds.length > 0 ? sql`AND programme IN (${sql.join(programmeIds.map((p) => sql`${p}`), sql`, `)})` : sql``}`),
  )
  if (rows.length === 0) return undefined
  const name = (r: WindowRow) => r.title.split(/[：:（(]/)[0]!
  const open = rows.filter((r) => (!r.window_opens || day(r.window_opens).getTime() - 86_400_000 <= now.getTime()) && now <= day(r.window_closes!))
  if (open.length > 0) return `目前開放申請：${[...new Set(open.map((r) => `${name(r)}（收件至${rocDate(r.window_closes!)}）`))].join('、')}。`
  const next = rows.filter((r) => r.window_opens && day(r.window_opens) > now).sort((a, b) => a.window_opens!.localeCompare(b.window_opens!))[0]
  if (next) return `目前沒有開放中的梯次；${name(next)}預定${rocDate(next.window_opens!)}開始收件。`
  const last = [...rows].sort((a, b) => b.window_closes!.localeCompare(a.window_closes!))[0]!
  return `目前沒有開放申請中的梯次：資料中${programmeIds.length > 0 ? '' : '最近一次是'}${name(last)}的收件期間${last.window_opens ? `為${rocDate(last.window_opens)}至` : '到'}${rocDate(last.window_closes!)}，已截止；新梯次請以主管機關公告為準。`
}
