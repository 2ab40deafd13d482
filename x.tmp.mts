import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openPglite } from './src/db/pglite.js'
import { migrate } from './src/db/migrator.js'
import { readMigrations } from './src/db/migrations-fs.js'
import { syncKnowledgeDir } from './src/knowledge/ingest.js'
import { createEmbedder } from './src/knowledge/embedder.js'
import { loadConfig } from './src/config.js'
import { KNOWLEDGE_DIR } from './src/knowledge/setup.js'
import { termStatistics } from './src/knowledge/search.js'
import { normalize, numbersAsWords, words } from './src/knowledge/text.js'
import { synonymsOf } from './src/knowledge/expand.js'
import { STOP_ZH, CLAUSES, asksSomething } from './src/answer/coverage.js'
import { programmesNamed } from './src/answer/programmes.js'
const d = await openPglite(mkdtempSync(join(tmpdir(), 'p-')))
const db = (d as any).db ?? d
await migrate(db, await readMigrations())
await syncKnowledgeDir(db, createEmbedder(loadConfig({})), KNOWLEDGE_DIR)
const files = process.argv.slice(2)
const rep = new Map<string, any>()
for (const f of files.filter((f) => f.endsWith('.json'))) for (const q of JSON.parse(readFileSync(f, 'utf8')).questions) rep.set(q.id, q)
const SUBSIDY = /補助|補貼|資助|subsid|grant|funding/i
for (const f of files.filter((f) => f.endsWith('.jsonl'))) {
  for (const line of readFileSync(f, 'utf8').split('\n').filter(Boolean)) {
    const q = JSON.parse(line)
    const clauses = (q.question.match(CLAUSES) ?? [q.question]) as string[]
    const toks = new Set<string>()
    for (const c of clauses) for (const t of words(numbersAsWords(normalize(c)))) if (/\p{Script=Han}/u.test(t) && Array.from(t).length >= 2 && !STOP_ZH.has(t)) toks.add(t)
    const stats = await termStatistics(db, [...toks, ...[...toks].flatMap((t) => synonymsOf(t).map(normalize))])
    const unseen = [...toks].filter((t) => ![t, ...synonymsOf(t).map(normalize)].some((x) => stats.idf.has(x)))
    const subsidy = SUBSIDY.test(q.question)
    const named = programmesNamed(q.question).length > 0
    const r = rep.get(q.id)
    const status = r ? (q.kind === 'unanswerable' ? (r.answerStatus !== 'answered' ? 'DECL' : 'ANSW') : r.answerPass ? 'PASS' : 'FAIL') : ''
    console.log([q.id, q.kind === 'unanswerable' ? 'U' : 'A', status, subsidy ? 'S' : '-', named ? 'N' : '-', unseen.join('/'), q.question].join('\t'))
  }
}
process.exit(0)
