import type { AnswerDeps } from '../answer/service.js'
import type { AssessmentDefinition } from '../assessment/definition.js'
import type { CompleteChat } from '../answer/types.js'
import type { Db } from '../db/types.js'
import type { ProgrammeRules } from '../eligibility/rules.js'
import type { HandoffSettings } from '../handoff/settings.js'
import type { LineApi } from '../line/client.js'
import type { Logger } from '../log.js'
import type { Converted } from '../pmo/convert.js'
import type { ConsoleTexts } from './texts.js'

/** What the consultant and PMO consoles need, whichever runtime built it (a type only: pages import it without importing the app). */
export interface ConsoleDeps {
  db: Db
  log: Logger
  /** ADMIN_TOKEN: creates the first PMO account at /console/setup. */
  adminToken: string | undefined
  /** The LINE client consultant replies go out through (and the message quota is read from). */
  line: LineApi
  /** Delivers queued outbox rows now, after the console's transaction committed. */
  deliver: (outboxIds: number[]) => Promise<unknown>
  /** Keeps background work alive after the response (Node: fire and forget; Workers: waitUntil). */
  background: (work: Promise<unknown>) => void
  /** How the bot answers, for the PMO console's "try it" box. */
  answer: AnswerDeps
  /** The chat model that writes case summaries, when one is configured (the same client the answers use). */
  model?: CompleteChat
  /** The case-summary prompt and the bundled data files, as text. */
  texts: ConsoleTexts
  /** Handoff settings (canned replies for the reply box). */
  handoff?: HandoffSettings
  /** The programme rules as shipped, for the names of industries (campaign audiences). */
  rules?: ProgrammeRules
  /** The quick assessment, to name functions and levels on the case page. */
  assessment?: AssessmentDefinition
  /**
   * Turns an uploaded file into Markdown. Node runs it in a child process with memory and time limits
   * (src/pmo/convert-isolated.ts); Workers in the request, which the platform limits itself.
   */
  convert?: (fileName: string, bytes: Uint8Array) => Promise<Converted>
  now?: () => Date
}
