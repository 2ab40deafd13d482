import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPglite } from './src/db/pglite.js'
import { migrate } from './src/db/migrator.js'
import { readMigrations } from './src/db/migrations-fs.js'
import { syncKnowledgeDir } from './src/knowledge/ingest.js'
import { createEmbedder } from './src/knowledge/embedder.js'
import { loadConfig } from './src/config.js'
import { KNOWLEDGE_DIR } from './src/knowledge/setup.js'
import { answerDeps } from './src/bot.js'
import { answerQuestion } from './src/answer/service.js'
import { readDefinition } from './src/assessment/load.js'
import { readProgrammeRules } from './src/eligibility/load.js'
const d: any = await openPglite(mkdtempSync(join(tmpdir(), 'p-')))
const db = d.db ?? d
await migrate(db, await readMigrations())
const embedder = createEmbedder(loadConfig({}))
await syncKnowledgeDir(db, embedder, KNOWLEDGE_DIR)
const deps = answerDeps({ db, embedder, llm: {}, assessment: await readDefinition(), rules: await readProgrammeRules() } as any)
for (const q of process.argv.slice(2)) {
  const a = await answerQuestion(deps, { question: q, now: new Date() })
  console.log('##', q, a.status, JSON.stringify(a.coverage))
  for (const r of a.retrieved) console.log('   ', r.score.toFixed(4), r.title.slice(0, 30), '>', r.headingPath.at(-1))
  console.log(a.body)
}
process.exit(0)
