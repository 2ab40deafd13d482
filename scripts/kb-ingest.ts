// npm run kb:ingest: validates knowledge/ and syncs it into the configured database.
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../src/config.js'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { openPostgres } from '../src/db/postgres.js'
import { ingestDocuments, loadKnowledgeDir } from '../src/knowledge/ingest.js'
import { KNOWLEDGE_DIR } from '../src/knowledge/setup.js'
import { createEmbedder } from '../src/knowledge/embedder.js'

const { values } = parseArgs({ options: { dir: { type: 'string', default: KNOWLEDGE_DIR } } })
try {
  const config = loadConfig(process.env)
  const database = config.databaseUrl ? openPostgres(config.databaseUrl, { max: 2 }) : await openPglite(config.dataDir)
  try {
    await migrate(database.db, await readMigrations())
    const loaded = await loadKnowledgeDir(values.dir!)
    for (const issue of loaded.issues) console.error(`✗ ${issue.file}: ${issue.field}: ${issue.message}`)
    const report = await ingestDocuments(database.db, createEmbedder(config), loaded.documents, { removeMissing: true, fingerprint: loaded.fingerprint })
    console.log(
      `ingested ${report.documents} documents, ${report.chunks} chunks (${report.embedded} embedded, ${report.removedChunks} chunks and ${report.removedDocuments} documents removed) in ${report.ms} ms` +
        (loaded.issues.length > 0 ? `; ${loaded.issues.length} problem(s) above were skipped` : ''),
    )
    process.exitCode = loaded.issues.length > 0 ? 1 : 0
  } finally {
    await database.close()
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `ingest failed: ${(error as Error).message}`)
  process.exit(1)
}
