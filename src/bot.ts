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
import { handoffRoutes, withUnansweredOffer } from './handoff/routes.js'
import type { HandoffSettings } from './handoff/settings.js'

/** Everything the bot's capabilities need, whichever runtime built it. */
export interface BotParts {
  db: Db
  embedder: KnowledgeEmbedder
  llm: { generator?: AnswerGenerator; classifier?: IntentClassifier }
  assessment: AssessmentDefinition
  rules: ProgrammeRules
  handoff: HandoffSettings
}

/** How a question is answered: programme rules first, then the knowledge base (generated or extractive). */
export function answerDeps(parts: Omit<BotParts, 'handoff'>): AnswerDeps {
  return { db: parts.db, embedder: parts.embedder, ...parts.llm, eligibility: createEligibilityAnswerer({ db: parts.db, rules: parts.rules }) }
}

/**
 * The bot's routes in order, shared by Node and Workers: core lifecycle and data deletion, the
 * handoff (which keeps the bot silent while a consultant has the chat, so it goes before the menu
 * and everything else), the rest of core (menu, unsupported messages), an open assessment (which
 * passes what it cannot use to the answer routes), then question answering.
 */
export function botRoutes(parts: BotParts): Route[] {
  const handoff = { db: parts.db, settings: parts.handoff, assessment: parts.assessment }
  const answers = withUnansweredOffer(answerRoutes(answerDeps(parts)), handoff)
  const assess = assessmentRoutes({ db: parts.db, definition: parts.assessment, rules: parts.rules, interleave: answers })
  const [lifecycle, dataDeletion, ...restOfCore] = coreRoutes
  const afterHandoff = [...restOfCore, ...assess, ...answers]
  return [lifecycle!, dataDeletion!, ...handoffRoutes({ ...handoff, interleave: afterHandoff }), ...afterHandoff]
}
