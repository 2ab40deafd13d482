import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { rowsOf } from '../src/db/types.js'
import { textEvent } from '../src/simulator/events.js'
import { engines, startBot, startFakeLine, waitFor, type Bot, type FakeLineServer } from './helpers/harness.js'

const server = engines().find((e) => e.engine === 'postgres')!

/** The scale-out promise: several app instances on one Postgres share the inbox. */
describe('two instances on one Postgres server', () => {
  let line: FakeLineServer
  let a: Bot
  let b: Bot
  const order: { instance: string; event: string }[] = []

  beforeAll(async () => {
    if (server.skip) return
    line = await startFakeLine()
    a = await startBot({ engine: 'postgres', lineUrl: line.url, workerId: 'instance-a', onHandled: (h) => order.push({ instance: 'a', event: h.event }) })
    b = await startBot({ engine: 'postgres', lineUrl: line.url, database: a.databaseRef, workerId: 'instance-b', onHandled: (h) => order.push({ instance: 'b', event: h.event }) })
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await line?.close()
  })

  it('share the work under load with no event lost or handled twice, each user in order', async (ctx) => {
    if (server.skip) ctx.skip(server.skip)
    const users = Array.from({ length: 30 }, (_, i) => `Uload${i}`)
    const perUser = 8
    const base = Date.now()
    const sent = new Map<string, string[]>()
    // Each user's events go to one instance in order (as LINE sends them); users are spread over both.
    await Promise.all(
      users.map(async (user, u) => {
        const target = u % 2 === 0 ? a : b
        for (let i = 0; i < perUser; i++) {
          const event = { ...textEvent({ userId: user }, i % 2 === 0 ? '選單' : '你好', line.fake.issueReplyToken(user)), timestamp: base + i }
          sent.set(user, [...(sent.get(user) ?? []), event.webhookEventId])
          const res = await target.send([event])
          expect(res.status).toBe(200)
          // LINE redelivers now and then: send some events to the other instance as well.
          if (i === 3) expect((await (target === a ? b : a).send([event])).status).toBe(200)
        }
      }),
    )
    const total = users.length * perUser
    await waitFor(() => line.fake.deliveries.length >= total, `${total} replies`, 60_000)
    await new Promise((r) => setTimeout(r, 1000))

    expect(line.fake.deliveries).toHaveLength(total)
    for (const user of users) expect(line.fake.deliveriesFor(user)).toHaveLength(perUser)
    const handledIds = order.map((o) => o.event)
    expect(new Set(handledIds).size).toBe(handledIds.length)
    expect(handledIds).toHaveLength(total)
    // Both instances took part.
    expect(order.filter((o) => o.instance === 'a').length).toBeGreaterThan(0)
    expect(order.filter((o) => o.instance === 'b').length).toBeGreaterThan(0)
    for (const user of users) {
      const mine = sent.get(user)!
      expect(handledIds.filter((id) => mine.includes(id))).toEqual(mine)
    }
    const open = rowsOf<{ n: string }>(await a.database.db.execute(sql`SELECT count(*) AS n FROM inbox WHERE status <> 'done'`))
    expect(Number(open[0]!.n)).toBe(0)
  })
})
