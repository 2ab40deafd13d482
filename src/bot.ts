import { answerRoutes } from './answer/routes.js'
import type { AnswerDeps } from './answer/service.js'
import type { AnswerGenerator } from './answer/service.js'
import type { IntentClassifier } from './answer/intent.js'
import type { AssessmentDefinition } from './assessment/definition.js'
import { assessmentRoutes } from './assessment/routes.js'
import { coreRoutes } from './chat/router.js'
import type { Route } from './chat/types.js'
import type { Db } from './db/types.js'
import { createEligibilityAnswerer } from './eligibility/answer.js'
import type { ProgrammeRules } from './eligibility/rules.js'
import type { KnowledgeEmbedder } from './knowledge/embedder.js'

/** Everything the bot's capabilities need, whichever runtime built it. */
export interface BotParts {
  db: Db
  embedder: KnowledgeEmbedder
  llm: { generator?: AnswerGenerator; classifier?: IntentClassifier }
  assessment: AssessmentDefinition
  rules: ProgrammeRules
}

/** How a question is answered: programme rules first, then the knowledge base (generated or extractive). */
export function answerDeps(parts: BotParts): AnswerDeps {
  return { db: parts.db, embedder: parts.embedder, ...parts.llm, eligibility: createEligibilityAnswerer({ db: parts.db, rules: parts.rules }) }
}

/**
 * The bot's routes in order, shared by Node and Workers: core (follow, delete, menu), an open
 * assessment (which passes what it cannot use to the answer routes), then question answering.
 */
export function botRoutes(parts: BotParts): Route[] {
  const answers = answerRoutes(answerDeps(parts))
  const assess = assessmentRoutes({ db: parts.db, definition: parts.assessment, rules: parts.rules, interleave: answers })
  return [...coreRoutes, ...assess, ...answers]
}
