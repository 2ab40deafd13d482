// npm run eval -- FILE.jsonl [--out REPORT.json]: retrieval hit@5 (and answer pass once answering exists).
import { readFile, writeFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { rowsOf } from '../src/db/types.js'
import { loadConfig } from '../src/config.js'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import { KNOWLEDGE_DIR } from '../src/knowledge/setup.js'
import { createEmbedder } from '../src/knowledge/embedder.js'
import { syncKnowledgeDir } from '../src/knowledge/ingest.js'
import { answerQuestion } from '../src/answer/service.js'
import { KnowledgeRetriever } from '../src/knowledge/retriever.js'
import { answerDeps } from '../src/bot.js'
import { createLlmCapabilities } from '../src/answer/generative.js'
import { readAnswerPrompts, readIntentPrompt } from '../src/answer/prompts-fs.js'
import { readDefinition } from '../src/assessment/load.js'
import { readProgrammeRules } from '../src/eligibility/load.js'
import { declines } from '../src/knowledge/eval.js'
import { containsFacts, isUnanswerable, parseEvalFile, failureClass, type FailureClass } from '../src/knowledge/eval.js'
import { passageIsAbout, programmesNamed } from '../src/answer/programmes.js'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, k: { type: 'string', default: '5' } } })
const file = positionals[0]
if (!file) {
  console.error('usage: npm run eval -- FILE.jsonl [--out REPORT.json]')
  process.exit(2)
}
const k = Number(values.k)
const questions = parseEvalFile(await readFile(file, 'utf8'), file)
const config = loadConfig(process.env)
const embedder = createEmbedder(config)

// A fresh embedded database with the current knowledge folder: the score depends on the repo only.
const database = await openPglite(await mkdtemp(join(tmpdir(), 'sme-eval-')))
await migrate(database.db, await readMigrations())
const ingest = await syncKnowledgeDir(database.db, embedder, KNOWLEDGE_DIR)
for (const issue of ingest?.issues ?? []) console.error(`knowledge: ${issue.file}: ${issue.field}: ${issue.message}`)

// The same answer chain the bot uses: programme rules first, then the knowledge base.
const llm = config.openai ? createLlmCapabilities(config, { ...(await readAnswerPrompts()), intent: await readIntentPrompt() }) : {}
const deps = answerDeps({ db: database.db, embedder, llm, assessment: await readDefinition(), rules: await readProgrammeRules() })

interface Row {
  id: string
  kind: string
  question: string
  unanswerable: boolean
  retrievalHit: boolean | null
  hitRank: number | null
  answerPass: boolean
  answerStatus: string
  coverage: { ratio: number; missing: string[] }
  answer: string
  more: string | undefined
  citations: unknown[]
  latencyMs: number
  /** Characters of the answer's body (the bubble's text, without sources and notices). */
  bodyChars: number
  /** Whether the answer cites a programme other than the one the question names. */
  otherProgramme: boolean
  failure: FailureClass | null
  retrieved: { title: string; headingPath: string[]; text: string; score: number }[]
}
const rows: Row[] = []
// Retrieval is scored through the LangChain retriever over the same hybrid search.
const retriever = new KnowledgeRetriever({ db: database.db, embedder, k })
const programmeOf = new Map(rowsOf<{ id: string; programme: string | null }>(await database.db.execute(sql`SELECT id, programme FROM kb_documents`)).map((r) => [r.id, r.programme]))
const latencies: number[] = []
for (const q of questions) {
  const t = performance.now()
  const answer = await answerQuestion(deps, { question: q.question, now: new Date() })
  const latencyMs = performance.now() - t
  latencies.push(latencyMs)
  // Retrieval is scored on its own, also for questions the programme rules answer.
  const hits = (await retriever.invoke(q.question)).map((d) => d.metadata)
  const unanswerable = isUnanswerable(q)
  const rank = hits.findIndex((h) => containsFacts([h.title, h.headingPath.join(' > '), h.text].join('\n'), q))
  const answerPass = unanswerable ? declines(answer.status, answer.text) : answer.status === 'answered' && containsFacts(answer.text, q)
  // A cited passage neither of the programme asked nor naming it answers about another programme.
  const asked = programmesNamed(q.question)
  const cited = answer.status === 'answered' ? answer.retrieved.filter((h) => answer.citations.some((c) => c.chunkHash === h.chunkHash)) : []
  const otherProgramme = asked.length > 0 && answer.citations.some((c) => {
    const passage = cited.find((h) => h.chunkHash === c.chunkHash)
    return passage !== undefined && !asked.some((p) => passageIsAbout({ programme: programmeOf.get(c.documentId) ?? null, ...passage }, p))
  })
  rows.push({
    id: q.id,
    kind: q.kind,
    question: q.question,
    unanswerable,
    retrievalHit: unanswerable ? null : rank !== -1,
    hitRank: rank === -1 ? null : rank + 1,
    answerPass,
    answerStatus: answer.status,
    coverage: answer.coverage,
    answer: answer.text,
    more: answer.more,
    citations: answer.citations,
    latencyMs: Math.round(latencyMs),
    bodyChars: answer.status === 'answered' ? Array.from(answer.body).length : 0,
    otherProgramme,
    failure: answerPass && rank !== -1 ? null : failureClass({ unanswerable, status: answer.status, retrievalHit: rank !== -1, otherProgramme, factsInRetrieved: rank !== -1 }),
    retrieved: hits.map((h) => ({ title: h.title, headingPath: h.headingPath, text: h.text, score: h.score })),
  })
}
await database.close()

const kinds = [...new Set(rows.map((r) => r.kind))].sort()
const pct = (a: number, b: number) => (b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`)
console.log(`\nmode: ${config.openai ? `generated (${config.openai.chatModel})` : 'offline (extractive)'} · embedder: ${embedder.model} · knowledge: ${ingest?.documents ?? '?'} documents, ${ingest?.chunks ?? '?'} chunks · ${questions.length} questions`)
console.log(`${'kind'.padEnd(18)} ${'n'.padStart(3)}  hit@${k}   answer`)
const line = (label: string, subset: Row[]) => {
  const retrievable = subset.filter((r) => r.retrievalHit !== null)
  console.log(`${label.padEnd(18)} ${String(subset.length).padStart(3)}  ${pct(retrievable.filter((r) => r.retrievalHit).length, retrievable.length)}  ${pct(subset.filter((r) => r.answerPass).length, subset.length)}`)
}
for (const kind of kinds) line(kind, rows.filter((r) => r.kind === kind))
line('all', rows)
const scored = rows.filter((r) => r.retrievalHit !== null)
const hitsTotal = scored.filter((r) => r.retrievalHit).length
const declinable = rows.filter((r) => r.unanswerable)
console.log(`retrieval hit@${k}: ${pct(hitsTotal, scored.length)} · answer pass (answerable): ${pct(scored.filter((r) => r.answerPass).length, scored.length)} · unanswerable declined: ${pct(declinable.filter((r) => r.answerPass).length, declinable.length)}`)
latencies.sort((a, b) => a - b)
console.log(`query latency p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(1)} ms, p95 ${latencies[Math.floor(latencies.length * 0.95)]?.toFixed(1)} ms`)
const bodies = rows.filter((r) => r.answerStatus === 'answered').map((r) => r.bodyChars).sort((a, b) => a - b)
console.log(`reply body length (answered, characters): median ${bodies[Math.floor(bodies.length / 2)] ?? '-'}, p95 ${bodies[Math.floor(bodies.length * 0.95)] ?? '-'} · answers citing a programme other than the one asked: ${rows.filter((r) => r.otherProgramme).length}`)
const classes = new Map<string, number>()
for (const r of rows) if (r.failure) classes.set(r.failure, (classes.get(r.failure) ?? 0) + 1)
console.log(`failures by class: ${[...classes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(' · ') || 'none'}`)
for (const r of rows.filter((r) => r.failure)) console.log(`  ${r.failure} ${r.id} [${r.kind}] ${r.question}`)
if (values.out) {
  await writeFile(values.out, JSON.stringify({ file, embedder: embedder.model, k, summary: { questions: rows.length, retrievalScored: scored.length, retrievalHits: hitsTotal, answerPasses: rows.filter((r) => r.answerPass).length }, questions: rows }, null, 2))
  console.log(`report: ${values.out}`)
}
// A question passes when its answer passes (for answerable ones, retrieval must have found the facts too).
const passed = rows.filter((r) => r.answerPass && r.retrievalHit !== false).length
console.log(`${passed} passed, ${rows.length - passed} failed`)
