import { existsSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadKnowledgeDir } from '../src/knowledge/ingest.js'
import { KNOWLEDGE_DIR } from '../src/knowledge/setup.js'
import { cardProblems } from '../src/knowledge/lint.js'
import { parseDocument } from '../src/knowledge/frontmatter.js'
import { readProgrammeRules } from '../src/eligibility/load.js'
import { programmesNamed } from '../src/answer/programmes.js'

const SEEDS = join(KNOWLEDGE_DIR, '..', '..', 'shared', 'seeds')
/** Longer verbatim runs than this are copied sentences, not restated facts. */
const MAX_VERBATIM = 40

describe('the knowledge base', () => {
  it('has only valid documents with unique ids', async () => {
    const loaded = await loadKnowledgeDir(KNOWLEDGE_DIR)
    expect(loaded.issues).toEqual([])
    expect(loaded.documents.length).toBeGreaterThan(50)
  })

  it.skipIf(!existsSync(SEEDS))('restates the seeds in its own words (no long verbatim runs outside tables)', async () => {
    const squash = (t: string) => t.replace(/\s+/g, '')
    const seedText = squash((await Promise.all((await readdir(SEEDS)).map((f) => readFile(join(SEEDS, f), 'utf8')))).join(''))
    const grams = new Set<string>()
    for (let i = 0; i + MAX_VERBATIM <= seedText.length; i++) grams.add(seedText.slice(i, i + MAX_VERBATIM))
    const loaded = await loadKnowledgeDir(KNOWLEDGE_DIR)
    const copied: string[] = []
    for (const doc of loaded.documents) {
      const prose = squash(doc.body.split('\n').filter((l) => !l.trim().startsWith('|')).join('\n'))
      for (let i = 0; i + MAX_VERBATIM <= prose.length; i++) {
        const run = prose.slice(i, i + MAX_VERBATIM)
        // Names in Latin letters (an organisation's or a strategy's English title) are not sentences.
        if (grams.has(run) && (run.match(/[A-Za-z]/g)?.length ?? 0) < MAX_VERBATIM / 2) {
          copied.push(`${doc.path}: ${run}`)
          break
        }
      }
    }
    expect(copied).toEqual([])
  })
})

describe('answer cards and user-facing text', () => {
  it('every section of every document has a card, and no text users read holds internal words', async () => {
    const loaded = await loadKnowledgeDir(KNOWLEDGE_DIR)
    const problems = loaded.documents.flatMap((doc) => cardProblems(doc).map((p) => `${doc.path}: ${p}`))
    expect(problems).toEqual([])
  })

  it('the lint catches a section without a card and internal words in a body', () => {
    const parsed = parseDocument('x.md', '---\nid: x\ntitle: 測試\nkind: faq\nsource: "測試文件"\nstatus: current\n---\n## 一\n依 seed 003 擷取到的文字（closed）')
    expect(parsed.ok).toBe(true)
    const problems = parsed.ok ? cardProblems(parsed.document) : []
    expect(problems.some((p) => p.includes('has no card'))).toBe(true)
    expect(problems.some((p) => p.includes('internal word'))).toBe(true)
  })

  it('refuses a card whose section is not a heading of the body, naming the field', () => {
    const parsed = parseDocument('x.md', '---\nid: x\ntitle: 測試\nkind: faq\nsource: "測試文件"\nstatus: current\ncards:\n  - section: 不存在\n    lead: "這是一個簡短的答案。"\n    asks: ["問題一"]\n---\n## 一\n內容')
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.issues[0]).toMatchObject({ field: 'cards.0.section' })
  })
})

describe('programme identity (wrong-programme class)', () => {
  it('knows every programme the rules hold, and every sub-programme named as a 計畫, as that programme', async () => {
    const rules = await readProgrammeRules()
    const unknown: string[] = []
    for (const p of rules.programmes) {
      for (const name of [p.name, ...(p.tracks ?? []).map((t) => t.name).filter((n) => /計畫$/.test(n))]) {
        const found = programmesNamed(name)[0]
        // A scheme of a larger programme ("…多元振興發展計畫—優惠貸款") is known as that programme.
        if (!found || (found.id !== p.id && !p.id.startsWith(`${found.id}-`))) unknown.push(`${p.id}: ${name}`)
      }
    }
    expect(unknown).toEqual([])
  })
})
