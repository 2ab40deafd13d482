import type { messagingApi } from '@line/bot-sdk'

export type LineMessage = messagingApi.Message

/** LINE's limits: at most 5 messages per reply/push call, at most 5,000 characters per text message. */
export const MAX_MESSAGES_PER_CALL = 5
export const MAX_TEXT_LENGTH = 5000

/** Splits a text at line breaks where possible so each part fits LINE's text limit. */
export function splitText(text: string, max = MAX_TEXT_LENGTH): string[] {
  const chars = Array.from(text) // count code points, as LINE does, and never cut a surrogate pair
  if (chars.length <= max) return [text]
  const parts: string[] = []
  let start = 0
  while (start < chars.length) {
    let end = Math.min(start + max, chars.length)
    if (end < chars.length) {
      const slice = chars.slice(start, end).join('')
      const cut = slice.lastIndexOf('\n')
      if (cut > max / 2) end = start + Array.from(slice.slice(0, cut + 1)).length
    }
    parts.push(chars.slice(start, end).join(''))
    start = end
  }
  return parts
}

/**
 * Fits messages to LINE's limits: long texts are split, and the list is cut into batches of at most
 * five. The quick reply of the last message moves to the very last message, where LINE shows it.
 */
export function toBatches(messages: LineMessage[]): LineMessage[][] {
  const flat: LineMessage[] = []
  for (const m of messages) {
    if (m.type === 'text' && Array.from(m.text).length > MAX_TEXT_LENGTH) {
      const { quickReply, ...rest } = m
      const parts = splitText(m.text)
      parts.forEach((text, i) => flat.push(i === parts.length - 1 && quickReply ? { ...rest, text, quickReply } : { ...rest, text }))
    } else {
      flat.push(m)
    }
  }
  const batches: LineMessage[][] = []
  for (let i = 0; i < flat.length; i += MAX_MESSAGES_PER_CALL) batches.push(flat.slice(i, i + MAX_MESSAGES_PER_CALL))
  return batches
}
