// npm run kb:lint [-- FILE.md ...]: what a knowledge writer must fix before a document is done —
// invalid front-matter, sections without an answer card, and internal words users would read.
import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { loadKnowledgeDir } from '../src/knowledge/ingest.js'
import { KNOWLEDGE_DIR } from '../src/knowledge/setup.js'
import { parseDocument } from '../src/knowledge/frontmatter.js'
import { cardProblems } from '../src/knowledge/lint.js'

const { positionals } = parseArgs({ allowPositionals: true })
const files = positionals.length > 0 ? positionals : (await loadKnowledgeDir(KNOWLEDGE_DIR)).documents.map((d) => join(KNOWLEDGE_DIR, d.path))
let problems = 0
for (const file of files) {
  const parsed = parseDocument(relative(KNOWLEDGE_DIR, file), await readFile(file, 'utf8'))
  const found = parsed.ok ? cardProblems(parsed.document) : parsed.issues.map((i) => `${i.field}: ${i.message}`)
  for (const p of found) console.log(`✗ ${relative(process.cwd(), file)}: ${p}`)
  problems += found.length
}
console.log(problems === 0 ? `ok: ${files.length} file(s)` : `${problems} problem(s) in ${files.length} file(s)`)
process.exitCode = problems === 0 ? 0 : 1
