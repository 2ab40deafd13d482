// Workers only: the prompt files are bundled as text by wrangler (see [[rules]] in wrangler.toml);
// Node reads the same files at start (prompts-fs.ts).
import system from '../../prompts/answer-system.md'
import user from '../../prompts/answer-user.md'
import intent from '../../prompts/intent-system.md'
import type { AnswerPrompts } from './generative.js'

export const bundledAnswerPrompts: AnswerPrompts = { system, user }

export const bundledIntentPrompt: string = intent
