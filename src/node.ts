import { randomBytes } from 'node:crypto'
import { ConfigError, loadConfig } from './config.js'
import { MigrationError } from './db/migrator.js'
import { DataFileError } from './data-file.js'
import { DataDirInUse } from './db/data-dir-lock.js'
import { startServer } from './server.js'
import { countPmo } from './console/auth.js'

// The only place that reads process.env.
try {
  const config = loadConfig(process.env)
  // Local try-out (simulator mode) without ADMIN_TOKEN: a one-off token for this run lets the first
  // PMO account be created at /console/setup. With real LINE credentials nothing is generated.
  const generatedAdminToken = config.simulator && !config.adminToken ? randomBytes(18).toString('base64url') : undefined
  if (generatedAdminToken) config.adminToken = generatedAdminToken
  const server = await startServer(config)
  const lines = [
    `中小企業數位轉型小幫手 is running (${server.database.engine === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'Postgres server'})`,
    `  webhook:   ${server.url}/webhook`,
    `  health:    ${server.url}/healthz  ${server.url}/readyz`,
  ]
  if (config.simulator) lines.push(`  simulator: ${server.url}/simulator`)
  lines.push(`  console:   ${server.url}/console  (consultants and PMO staff)`)
  if (generatedAdminToken && (await countPmo(server.database.db)) === 0) lines.push(`  first PMO account: ${server.url}/console/setup with the one-off ADMIN_TOKEN ${generatedAdminToken} (set ADMIN_TOKEN to choose your own)`)
  console.log(lines.join('\n'))
  const shutdown = async () => {
    await server.close()
    process.exit(0)
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
} catch (error) {
  if (error instanceof ConfigError || error instanceof MigrationError || error instanceof DataFileError || error instanceof DataDirInUse) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}
