import { describe, expect, it } from 'vitest'
import { createLogger } from '../../src/log.js'

describe('log lines', () => {
  it('never carry a failed statement’s parameters (user ids, reply tokens, message text), at any level', () => {
    const lines: string[] = []
    const log = createLogger('debug', (l) => lines.push(l))
    const error = new Error('Failed query: INSERT INTO inbox (webhook_event_id, order_key, payload) SELECT r.id FROM jsonb_to_recordset($1::jsonb)\nparams: [{"userId":"U123","replyToken":"rt-secret","text":"我的電話0912"}]')
    log.error('webhook store failed', { error })
    log.debug('retry', { error: String(error) })
    for (const l of lines) {
      expect(l).not.toMatch(/U123|rt-secret|0912/)
      expect(l).toContain('params: [redacted]')
    }
  })
})
