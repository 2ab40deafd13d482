import { sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { openPostgres } from '../src/db/postgres.js'
import type { Database } from '../src/db/types.js'
import { rowsOf } from '../src/db/types.js'
import { createLineApi, type LineApi } from '../src/line/client.js'
import { createLogger } from '../src/log.js'
import { campaignProgress, countAudience, createCampaign, runCampaigns, type Audience } from '../src/outreach/campaigns.js'
import { engines, freshServerDatabase, startFakeLine, TOKEN, type FakeLineServer } from './helpers/harness.js'

/** Campaign delivery against the fake LINE API on a real socket: exactly once per recipient, within the quota. */

const log = createLogger('error', () => {})
const message = [{ type: 'text' as const, text: '新計畫開放申請：測試用智慧商店補助計畫，收件至 116/1/31。' }]
const everyone: Audience = { topics: ['windows'], regions: [], industries: [], levels: [] }

/** Users who follow and consented to `topic`, with a region in their firm facts. */
async function seedSubscribers(db: Database['db'], prefix: string, count: number, topic = 'windows', region = '臺中市'): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `U${prefix}${String(i).padStart(6, '0')}`)
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500)
    await db.execute(sql`INSERT INTO users (id, status, followed_at) VALUES ${sql.join(part.map((id) => sql`(${id}, 'active', now() - interval '1 day')`), sql`, `)}`)
    await db.execute(sql`INSERT INTO subscriptions (user_id, topic, consented_at) VALUES ${sql.join(part.map((id) => sql`(${id}, ${topic}, now())`), sql`, `)}`)
    await db.execute(sql`INSERT INTO conversations (chat_type, chat_id, user_id, state) VALUES ${sql.join(part.map((id) => sql`('user', ${id}, ${id}, ${JSON.stringify({ firm: { region } })}::jsonb)`), sql`, `)}`)
  }
  return ids
}

for (const { engine, skip } of engines()) {
  describe.skipIf(skip)(`campaigns on ${engine}`, () => {
    let database: Database
    let line: FakeLineServer
    let api: LineApi
    beforeAll(async () => {
      database = engine === 'pglite' ? await openPglite('memory://') : openPostgres(await freshServerDatabase())
      await migrate(database.db, await readMigrations())
      line = await startFakeLine()
      api = createLineApi({ channelAccessToken: TOKEN, baseUrl: line.url, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} } })
    })
    afterEach(() => {
      line.fake.quotaLimit = null
    })
    afterAll(async () => {
      await database?.close()
      await line?.close()
    })
    const deps = (owner = 'test') => ({ db: database.db, line: api, log, owner })
    const deliveredTo = (ids: string[]) => ids.map((id) => line.fake.deliveriesFor(id).length)

    it('counts the audience: consent in force, the filters; blocked subscribers counted apart', async () => {
      const ids = await seedSubscribers(database.db, 'count', 3, 'cases', '花蓮縣')
      await seedSubscribers(database.db, 'countTpe', 2, 'cases', '臺北市')
      await database.db.execute(sql`UPDATE users SET status = 'inactive' WHERE id = ${ids[0]!}`)
      // A consent older than the latest follow does not count.
      await database.db.execute(sql`UPDATE users SET followed_at = now() + interval '1 minute' WHERE id = ${ids[1]!}`)
      expect(await countAudience(database.db, { ...everyone, topics: ['cases'] })).toEqual({ reachable: 3, blocked: 1 })
      expect(await countAudience(database.db, { ...everyone, topics: ['cases'], regions: ['花蓮縣'] })).toEqual({ reachable: 1, blocked: 1 })
      // Firms the eligibility engine does not rule out for a programme: a factory may apply, a restaurant may not.
      const { readProgrammeRules } = await import('../src/eligibility/load.js')
      const [factory, restaurant] = await seedSubscribers(database.db, 'elig', 2, 'cases', '金門縣')
      await database.db.execute(sql`UPDATE conversations SET state = '{"firm":{"region":"金門縣","industry":"manufacturing"}}'::jsonb WHERE chat_id = ${factory!}`)
      await database.db.execute(sql`UPDATE conversations SET state = '{"firm":{"region":"金門縣","industry":"food-lodging"}}'::jsonb WHERE chat_id = ${restaurant!}`)
      const audience = { ...everyone, topics: ['cases'], regions: ['金門縣'], eligibleFor: 'supply-chain-ai' }
      expect(await countAudience(database.db, audience, await readProgrammeRules())).toEqual({ reachable: 1, blocked: 0 })
    })

    it('sends 1,200 subscribers their message once each in ⌈n/500⌉ multicasts, even when a sender dies after LINE accepted a batch', async () => {
      const ids = await seedSubscribers(database.db, 'bulk', 1200, 'deadlines')
      const id = (await createCampaign(database.db, { title: '截止提醒', messages: message, audience: { ...everyone, topics: ['deadlines'] }, createdBy: 'pmo' }))!
      // The first sender: LINE accepts its first multicast, then the process dies before writing that down.
      const dying: LineApi = {
        ...api,
        multicast: async (to, messages, key) => {
          await api.multicast(to, messages, key)
          throw new Error('killed')
        },
      }
      const before = line.fake.multicasts.length
      await runCampaigns({ ...deps('sender-1'), line: dying }, Date.now() + 50)
      // Its batch stays claimed until the lock lapses; the next sender takes it up.
      await database.db.execute(sql`UPDATE campaign_batches SET locked_until = now() - interval '1 second', next_attempt_at = now() WHERE campaign_id = ${id}`)
      await runCampaigns(deps('sender-2'))
      expect(deliveredTo(ids).every((n) => n === 1)).toBe(true)
      const accepted = line.fake.multicasts.slice(before)
      expect(accepted.length).toBe(3)
      expect(accepted.every((m) => m.to.length <= 500)).toBe(true)
      const progress = await campaignProgress(database.db, id)
      expect(progress).toMatchObject({ status: 'done', recipients: 1200, sent: 1200, failed: 0, batches: 3, batchesSent: 3 })
    })

    it('refuses a campaign the month’s quota cannot carry, before sending anything', async () => {
      await seedSubscribers(database.db, 'quota', 30, 'windows', '嘉義市')
      line.fake.quotaLimit = line.fake.quotaUsed + 10
      const id = (await createCampaign(database.db, { title: '太多', messages: message, audience: { ...everyone, regions: ['嘉義市'] }, createdBy: 'pmo' }))!
      const before = line.fake.multicasts.length
      await runCampaigns(deps())
      expect(line.fake.multicasts.length).toBe(before)
      const progress = await campaignProgress(database.db, id)
      expect(progress!.status).toBe('refused')
      expect(progress!.stopReason).toContain('剩餘額度 10 則')
    })

    it('stops cleanly on a quota 429 mid-send, with what was sent and what was not', async () => {
      const ids = await seedSubscribers(database.db, 'mid', 1100, 'windows', '宜蘭縣')
      const id = (await createCampaign(database.db, { title: '半途', messages: message, audience: { ...everyone, regions: ['宜蘭縣'] }, createdBy: 'pmo' }))!
      // Enough at the check; another sender spends the rest before the second batch goes out.
      line.fake.quotaLimit = line.fake.quotaUsed + 1100
      const spender: LineApi = {
        ...api,
        multicast: async (to, messages, key) => {
          await api.multicast(to, messages, key)
          line.fake.quotaUsed += 500
        },
      }
      await runCampaigns({ ...deps(), line: spender })
      const progress = await campaignProgress(database.db, id)
      expect(progress).toMatchObject({ status: 'stopped', sent: 500, unsent: 600, queued: 0 })
      expect(progress!.stopReason).toContain('額度')
      expect(deliveredTo(ids).reduce((a, b) => a + b, 0)).toBe(500)
      // Nothing is retried afterwards.
      await runCampaigns(deps())
      expect(deliveredTo(ids).reduce((a, b) => a + b, 0)).toBe(500)
    })

    it('sends a scheduled campaign only when it is due, and closes one nobody matches at once', async () => {
      const ids = await seedSubscribers(database.db, 'later', 2, 'windows', '連江縣')
      const later = (await createCampaign(database.db, { title: '明天', messages: message, audience: { ...everyone, regions: ['連江縣'] }, createdBy: 'pmo', scheduledAt: new Date(Date.now() + 3_600_000) }))!
      const nobody = (await createCampaign(database.db, { title: '沒有人', messages: message, audience: { ...everyone, regions: ['不存在縣'] }, createdBy: 'pmo' }))!
      await runCampaigns(deps())
      expect(deliveredTo(ids)).toEqual([0, 0])
      expect((await campaignProgress(database.db, later))!.status).toBe('scheduled')
      expect(await campaignProgress(database.db, nobody)).toMatchObject({ status: 'done', recipients: 0 })
      await database.db.execute(sql`UPDATE campaigns SET scheduled_at = now() - interval '1 second' WHERE id = ${later}`)
      await runCampaigns(deps())
      expect(deliveredTo(ids)).toEqual([1, 1])
    })

    it('skips an unsubscribed or blocked user', async () => {
      const ids = await seedSubscribers(database.db, 'skip', 4, 'windows', '澎湖縣')
      await database.db.execute(sql`DELETE FROM subscriptions WHERE user_id = ${ids[0]!}`)
      await database.db.execute(sql`UPDATE users SET status = 'inactive', unfollowed_at = now() WHERE id = ${ids[1]!}`)
      const id = (await createCampaign(database.db, { title: '澎湖', messages: message, audience: { ...everyone, regions: ['澎湖縣'] }, createdBy: 'pmo' }))!
      await runCampaigns(deps())
      expect(deliveredTo(ids)).toEqual([0, 0, 1, 1])
      expect(await campaignProgress(database.db, id)).toMatchObject({ status: 'done', sent: 2, blocked: 1, recipients: 3 })
      const stored = rowsOf<{ user_id: string }>(await database.db.execute(sql`SELECT user_id FROM campaign_recipients WHERE campaign_id = ${id} ORDER BY user_id`))
      expect(stored.map((r) => r.user_id)).not.toContain(ids[0])
    })
  })
}

describe('deadline reminders', () => {
  for (const { engine, skip } of engines()) {
    it.skipIf(skip)(`go once to subscribers who may apply, even with two instances making them at once (${engine})`, async () => {
      const { readProgrammeRules } = await import('../src/eligibility/load.js')
      const { scheduleDeadlineReminders } = await import('../src/outreach/reminders.js')
      const rules = await readProgrammeRules()
      const line = await startFakeLine()
      const url = engine === 'postgres' ? await freshServerDatabase() : undefined
      const one = url ? openPostgres(url) : await openPglite('memory://')
      // The second instance: its own connections to the same database (PGlite is one process, so the same handle).
      const two = url ? openPostgres(url) : one
      try {
        await migrate(one.db, await readMigrations())
        const [maker, cook, blank, quiet] = await seedSubscribers(one.db, 'rem', 4, 'deadlines', '臺南市')
        const firm = (id: string, facts: object) => one.db.execute(sql`UPDATE conversations SET state = ${JSON.stringify({ firm: facts })}::jsonb WHERE chat_id = ${id}`)
        await firm(maker!, { industry: 'manufacturing', region: '臺南市', revenue: { min: 500_000_000, max: 500_000_000 } })
        await firm(cook!, { industry: 'food-lodging', region: '臺南市' })
        await one.db.execute(sql`UPDATE conversations SET state = '{}'::jsonb WHERE chat_id = ${blank!}`)
        await one.db.execute(sql`DELETE FROM subscriptions WHERE user_id = ${quiet!}`)
        const api = createLineApi({ channelAccessToken: TOKEN, baseUrl: line.url })
        // Five days before the supply-chain AI programme's window closed (2024-06-17).
        const now = new Date('2024-06-12T09:00:00+08:00')
        const run = (db: Database['db'], owner: string) =>
          scheduleDeadlineReminders({ db, rules, settings: { days_before: 7 }, log, now }).then(() => runCampaigns({ db, line: api, log, owner, rules }))
        await Promise.all([run(one.db, 'a'), run(two.db, 'b')])
        await Promise.all([run(one.db, 'a'), run(two.db, 'b')])
        const got = (id: string) => line.fake.messagesFor(id) as { text?: string }[]
        expect(got(maker!)).toHaveLength(1)
        expect(got(maker!)[0]!.text).toContain('產業聚落供應鏈數位串流暨AI應用計畫')
        expect(got(maker!)[0]!.text).toContain('113/06/17')
        expect(got(maker!)[0]!.text).toContain('還有 5 天')
        // No facts: it may apply (needs checking), so it is reminded too.
        expect(got(blank!)).toHaveLength(1)
        // A restaurant is ruled out; an unsubscribed user hears nothing.
        expect(got(cook!)).toHaveLength(0)
        expect(got(quiet!)).toHaveLength(0)
        const made = rowsOf<{ n: number | string }>(await one.db.execute(sql`SELECT count(*) AS n FROM campaigns WHERE reminder_key LIKE 'deadline:supply-chain-ai:%'`))
        expect(Number(made[0]!.n)).toBe(1)
      } finally {
        if (two !== one) await two.close()
        await one.close()
        await line.close()
      }
    })
  }
})
