// Workers only: bundled as text by wrangler (see [[rules]] in wrangler.toml).
import caseSummaryPrompt from '../../prompts/case-summary.md'
import programmes from '../../knowledge/rules/programmes.yaml'
import assessment from '../../knowledge/assessment/quick-assessment.yaml'
import type { ConsoleTexts } from './texts.js'

export const bundledConsoleTexts: ConsoleTexts = { caseSummaryPrompt, programmes, assessment }
