import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PROMPTS_DIR } from '../answer/prompts-fs.js'
import { DEFINITION_FILE } from '../assessment/load.js'
import { RULES_FILE } from '../eligibility/load.js'
import type { ConsoleTexts } from './texts.js'

/** Node: the console's texts from the repository. */
export async function readConsoleTexts(): Promise<ConsoleTexts> {
  const [caseSummaryPrompt, programmes, assessment] = await Promise.all([
    readFile(join(PROMPTS_DIR, 'case-summary.md'), 'utf8'),
    readFile(RULES_FILE, 'utf8'),
    readFile(DEFINITION_FILE, 'utf8'),
  ])
  return { caseSummaryPrompt, programmes, assessment }
}
