// Applies the migrations to DATABASE_URL (or the PGlite folder), e.g. before deploying to Workers.
import { ConfigError, loadConfig } from '../src/config.js'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { openPostgres } from '../src/db/postgres.js'

try {
  const config = loadConfig(process.env)
  const database = config.databaseUrl ? openPostgres(config.databaseUrl, { max: 1 }) : await openPglite(config.dataDir)
  try {
    const applied = await migrate(database.db, await readMigrations())
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'schema is current')
  } finally {
    await database.close()
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`)
  process.exit(1)
}
