// npm run rules:check [-- DRAFT.yaml ...]: validates knowledge/rules/programmes.yaml, or that file with the
// programmes (and funding schemes) of draft files appended, and lists each programme's rule count.
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { parse } from 'yaml'
import { RULES_FILE } from '../src/eligibility/load.js'
import { programmeRulesSchema } from '../src/eligibility/rules.js'
import { DataFileError, parseDataFile } from '../src/data-file.js'

const { positionals } = parseArgs({ allowPositionals: true })
const base = parse(await readFile(RULES_FILE, 'utf8')) as { programmes: unknown[]; funding_schemes: unknown[] }
for (const file of positionals) {
  const draft = (parse(await readFile(file, 'utf8')) ?? {}) as { programmes?: unknown[]; funding_schemes?: unknown[] }
  base.programmes.push(...(draft.programmes ?? []))
  base.funding_schemes.push(...(draft.funding_schemes ?? []))
}
try {
  const rules = parseDataFile(programmeRulesSchema, JSON.stringify(base), positionals.length ? `programmes.yaml + ${positionals.join(' + ')}` : 'programmes.yaml')
  for (const p of rules.programmes) console.log(`✓ ${p.id} (${p.kind}, ${p.status}): ${p.rules.length} rule(s), ${p.tracks.length} track(s)`)
  console.log(`ok: ${rules.programmes.length} programme(s)`)
} catch (e) {
  if (!(e instanceof DataFileError)) throw e
  console.log(`✗ ${e.message}`)
  process.exitCode = 1
}
