import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { textEvent } from '../src/simulator/events.js'
import { engines, startBot, startFakeLine, waitFor, type Bot, type FakeLineServer } from './helpers/harness.js'

const METRICS_TOKEN = 'scraper-token-0123456789'

/** The value of the sample `name` whose labels include `labels`, from Prometheus' text format. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m || m[1] !== name) continue
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3])
  }
  return undefined
}

describe.each(engines())('/metrics on $engine', ({ engine, skip }) => {
  let line: FakeLineServer
  let bot: Bot | undefined

  beforeEach(async (ctx) => {
    if (skip) ctx.skip(skip)
    line = await startFakeLine()
  })
  afterEach(async () => {
    await bot?.close()
    await line?.close()
  })

  it('is off without METRICS_TOKEN, and refuses a scraper without the token', async () => {
    bot = await startBot({ engine, lineUrl: line.url })
    expect((await fetch(`${bot.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404)
    await bot.close()
    bot = await startBot({ engine, lineUrl: line.url, env: { METRICS_TOKEN } })
    expect((await fetch(`${bot.url}/metrics`)).status).toBe(401)
    const wrong = await fetch(`${bot.url}/metrics`, { headers: { authorization: 'Bearer scraper-token-0123456780' } })
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).not.toContain('sme_')
  })

  it('counts acknowledgements, answers and deliveries by path, LINE errors, queue depth and the remaining quota', async () => {
    line.fake.quotaLimit = 500
    line.fake.quotaUsed = 120
    bot = await startBot({ engine, lineUrl: line.url, env: { METRICS_TOKEN } })
    await bot.send([textEvent({ userId: 'Umetrics1' }, '選單', line.fake.issueReplyToken('Umetrics1'))])
    // An expired reply token: delivered by push.
    await bot.send([textEvent({ userId: 'Umetrics2' }, '選單', line.fake.issueReplyToken('Umetrics2', -1))])
    await waitFor(() => line.fake.deliveriesFor('Umetrics1').length + line.fake.deliveriesFor('Umetrics2').length === 2, 'both replies')
    // LINE refuses the next push for good: counted as a LINE error.
    line.fake.failNext({ path: '/v2/bot/message/push', status: 403 })
    await bot.send([textEvent({ userId: 'Umetrics3' }, '選單', line.fake.issueReplyToken('Umetrics3', -1))])
    await waitFor(() => bot!.handled.length === 3, 'third event handled')
    expect((await bot.send([textEvent({ userId: 'Umetrics4' }, '選單', 'tok')], 'not-the-secret')).status).toBe(401)

    const res = await fetch(`${bot.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = await res.text()
    expect(sample(text, 'sme_webhook_requests_total', { status: '200' })).toBe(3)
    expect(sample(text, 'sme_webhook_requests_total', { status: '401' })).toBe(1)
    expect(sample(text, 'sme_webhook_events_stored_total')).toBe(3)
    expect(sample(text, 'sme_line_calls_total', { call: 'reply', result: 'ok' })).toBe(1)
    expect(sample(text, 'sme_line_calls_total', { call: 'push', result: 'ok' })).toBe(1)
    expect(sample(text, 'sme_line_calls_total', { call: 'reply', result: 'token-rejected' })).toBe(2)
    expect(sample(text, 'sme_line_calls_total', { call: 'push', result: '403' })).toBe(1)
    const handledCount = text.split('\n').filter((l) => l.startsWith('sme_event_handling_seconds_count')).reduce((n, l) => n + Number(l.split(' ').at(-1)), 0)
    expect(handledCount).toBe(3)
    expect(sample(text, 'sme_inbox_events', { status: 'pending' })).toBe(0)
    expect(sample(text, 'sme_outbox_deliveries', { status: 'failed' })).toBe(1)
    expect(sample(text, 'sme_line_quota_remaining')).toBe(500 - 121)
    // One scrape reads the quota once (two calls: limit and consumption), and a second scrape within
    // five minutes not at all.
    const quotaCalls = () => line.fake.requests.filter((r) => r.path.startsWith('/v2/bot/message/quota')).length
    expect(quotaCalls()).toBe(2)
    await fetch(`${bot.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    expect(quotaCalls()).toBe(2)
    expect(sample(text, 'sme_process_resident_memory_bytes')).toBeGreaterThan(0)
    // Nothing that names a user or quotes a message.
    expect(text).not.toMatch(/Umetrics|選單/)
  })
})
