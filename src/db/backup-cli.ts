// npm run db:backup [-- FILE] · npm run db:restore -- FILE — the embedded database (DATA_DIR) to and
// from one archive file. Stop the bot first; with DATABASE_URL, back up the Postgres server with
// pg_dump instead. In the container image: node dist/db/backup-cli.js backup|restore FILE.
import { ConfigError, loadConfig } from '../config.js'
import { BackupError, backupDataDir, restoreDataDir } from './backup.js'
import { DataDirInUse } from './data-dir-lock.js'

const [command, fileArg] = process.argv.slice(2)
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`

try {
  const config = loadConfig(process.env)
  if (config.databaseUrl) throw new BackupError('DATABASE_URL is set: this bot uses a Postgres server; back it up with pg_dump / pg_restore.')
  if (command === 'backup') {
    const file = fileArg ?? `backups/sme-dx-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}.tar.gz`
    const done = await backupDataDir(config.dataDir, file)
    console.log(`Backed up ${config.dataDir} to ${done.file} (${mb(done.bytes)}; ${done.conversations} conversations, ${done.migrations} migrations).`)
  } else if (command === 'restore' && fileArg) {
    const done = await restoreDataDir(config.dataDir, fileArg)
    console.log(`Restored ${config.dataDir} from ${done.file} (${done.conversations} conversations, ${done.migrations} migrations).`)
    if (done.previous) console.log(`The database it replaced is kept in ${done.previous}; delete it when you no longer need it.`)
  } else {
    throw new BackupError('Usage: npm run db:backup [-- FILE]  |  npm run db:restore -- FILE')
  }
} catch (error) {
  if (error instanceof ConfigError || error instanceof BackupError || error instanceof DataDirInUse) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}
