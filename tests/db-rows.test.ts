import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { openPostgres } from '../src/db/postgres.js'
import { rowsOf } from '../src/db/types.js'
import { engines, freshServerDatabase } from './helpers/harness.js'

// Raw rows are parsed once, in the database adapters, the same way on both engines: code above them
// reads jsonb as objects and bigints as numbers without checking which engine it runs on.
describe('raw rows from either engine', () => {
  for (const { engine, skip } of engines()) {
    it.skipIf(skip)(`have jsonb as values and bigint counts and ids as numbers (${engine})`, async () => {
      const database = engine === 'pglite' ? await openPglite('memory://') : openPostgres(await freshServerDatabase())
      try {
        await migrate(database.db, await readMigrations())
        await database.db.execute(sql`INSERT INTO users (id) VALUES ('U-rows')`)
        const [row] = rowsOf<Record<string, unknown>>(
          await database.db.execute(sql`INSERT INTO conversations (chat_type, chat_id, user_id, state) VALUES ('user', 'U-rows', 'U-rows', '{"firm":{"region":"臺南市"}}'::jsonb)
            RETURNING id, state, (SELECT count(*) FROM users) AS users, '["a","b"]'::jsonb AS list`),
        )
        expect(typeof row!.id).toBe('number')
        expect(row!.users).toBe(1)
        expect(row!.state).toEqual({ firm: { region: '臺南市' } })
        expect(row!.list).toEqual(['a', 'b'])
      } finally {
        await database.close()
      }
    })
  }
})
