import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseDefinition, type AssessmentDefinition } from './definition.js'

export const DEFINITION_FILE = fileURLToPath(new URL('../../knowledge/assessment/quick-assessment.yaml', import.meta.url))

/** Node: reads the definition from the repository (a Workers build would bundle the text and call parseDefinition). */
export async function readDefinition(file = DEFINITION_FILE): Promise<AssessmentDefinition> {
  return parseDefinition(await readFile(file, 'utf8'), file)
}
