import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { AnswerPrompts } from './generative.js'

export const PROMPTS_DIR = fileURLToPath(new URL('../../prompts', import.meta.url))

export async function readAnswerPrompts(dir = PROMPTS_DIR): Promise<AnswerPrompts> {
  const [system, user] = await Promise.all([readFile(`${dir}/answer-system.md`, 'utf8'), readFile(`${dir}/answer-user.md`, 'utf8')])
  return { system, user }
}

export async function readIntentPrompt(dir = PROMPTS_DIR): Promise<string> {
  return readFile(`${dir}/intent-system.md`, 'utf8')
}
