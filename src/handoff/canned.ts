import type { HandoffSettings } from './settings.js'

/**
 * Canned replies for the reply box: `canned_replies` in knowledge/handoff/handoff.yaml, kept by PMO
 * staff with the other handoff settings (validated by src/handoff/settings.ts when the app starts).
 * An empty list falls back to a few built-in replies, so the reply box always offers some.
 */
export interface CannedReply {
  title: string
  text: string
}

export const BUILT_IN_CANNED: CannedReply[] = [
  { title: '打招呼', text: '您好，我是負責協助您的顧問，已看過您與小幫手的對話，接下來由我為您說明。' },
  { title: '需要更多資料', text: '為了幫您確認資格，想再請教：公司的員工人數、實收資本額，以及主要的行業別是？' },
  { title: '稍後回覆', text: '這個問題我需要再向計畫辦公室確認，確認後會在這裡回覆您，謝謝您的耐心。' },
  { title: '結束前確認', text: '請問還有其他需要協助的地方嗎？如果沒有，我會先結束這次的真人服務，之後有問題隨時可以再找我們。' },
]

/** The settings' list (validated when the app starts), or the built-in replies when it is empty. */
export function cannedReplies(settings: HandoffSettings | undefined): CannedReply[] {
  const list = settings?.canned_replies ?? []
  return list.length > 0 ? list : BUILT_IN_CANNED
}
