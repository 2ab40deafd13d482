import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseProgrammeRules, type ProgrammeRules } from './rules.js'

/** The programme rules kept next to the knowledge (Node; a Workers build would bundle the text and call parseProgrammeRules). */
export const RULES_FILE = fileURLToPath(new URL('../../knowledge/rules/programmes.yaml', import.meta.url))

export async function readProgrammeRules(file = RULES_FILE): Promise<ProgrammeRules> {
  return parseProgrammeRules(await readFile(file, 'utf8'), file)
}
