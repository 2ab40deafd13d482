import { ConfigError, loadConfig } from './config.js'
import { MigrationError } from './db/migrator.js'
import { DataFileError } from './data-file.js'
import { startServer } from './server.js'

// The only place that reads process.env.
try {
  const config = loadConfig(process.env)
  const server = await startServer(config)
  const lines = [
    `中小企業數位轉型小幫手 is running (${server.database.engine === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'Postgres server'})`,
    `  webhook:   ${server.url}/webhook`,
    `  health:    ${server.url}/healthz  ${server.url}/readyz`,
  ]
  if (config.simulator) lines.push(`  simulator: ${server.url}/simulator`)
  console.log(lines.join('\n'))
  const shutdown = async () => {
    await server.close()
    process.exit(0)
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
} catch (error) {
  if (error instanceof ConfigError || error instanceof MigrationError || error instanceof DataFileError) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}
