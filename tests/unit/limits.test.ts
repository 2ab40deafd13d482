import { describe, expect, it } from 'vitest'
import { MAX_TEXT_LENGTH, splitText, toBatches, type LineMessage } from '../../src/line/limits.js'

describe('LINE message limits', () => {
  it('keeps short texts whole', () => {
    expect(splitText('你好')).toEqual(['你好'])
  })

  it('splits a long text into parts within 5,000 characters, preferring line breaks, losing nothing', () => {
    const paragraph = '數位轉型'.repeat(300) + '\n'
    const long = paragraph.repeat(10)
    const parts = splitText(long)
    expect(parts.length).toBeGreaterThan(1)
    for (const p of parts) expect(Array.from(p).length).toBeLessThanOrEqual(MAX_TEXT_LENGTH)
    expect(parts.join('')).toBe(long)
    expect(parts[0]!.endsWith('\n')).toBe(true)
  })

  it('never cuts an emoji in half', () => {
    const long = '😀'.repeat(MAX_TEXT_LENGTH + 10)
    const parts = splitText(long)
    expect(parts.map((p) => Array.from(p).length)).toEqual([MAX_TEXT_LENGTH, 10])
    expect(parts.join('')).toBe(long)
  })

  it('cuts more than five messages into batches of five and keeps the quick reply on the very last message', () => {
    const quickReply = { items: [{ type: 'action' as const, action: { type: 'message' as const, label: '選單', text: '選單' } }] }
    const messages: LineMessage[] = Array.from({ length: 6 }, (_, i) => ({ type: 'text', text: `第${i + 1}則` }))
    messages[5] = { type: 'text', text: 'x'.repeat(MAX_TEXT_LENGTH * 2), quickReply }
    const batches = toBatches(messages)
    expect(batches.map((b) => b.length)).toEqual([5, 2])
    const last = batches[1]!
    expect(last[0]).not.toHaveProperty('quickReply')
    expect(last[1]).toHaveProperty('quickReply', quickReply)
  })
})
