import type { Hono } from 'hono'
import { answerEffects } from './answer/effects.js'
import { answerRoutes } from './answer/routes.js'
import type { AnswerDeps, AnswerGenerator } from './answer/service.js'
import type { IntentClassifier } from './answer/intent.js'
import type { CompleteChat } from './answer/types.js'
import type { AssessmentDefinition } from './assessment/definition.js'
import { assessmentModeReader } from './assessment/mode.js'
import { assessmentRoutes } from './assessment/routes.js'
import { assessmentEffects } from './assessment/store.js'
import { anyOf, createDispatcher } from './chat/dispatch.js'
import { coreRoutes } from './chat/router.js'
import type { EffectAppliers, ModeReader, Route } from './chat/types.js'
import { consoleRoutes } from './console/app.js'
import type { ConsoleEnv } from './console/auth.js'
import type { ConsoleDeps } from './console/deps.js'
import type { ConsoleTexts } from './console/texts.js'
import type { Db } from './db/types.js'
import { createEligibilityAnswerer } from './eligibility/answer.js'
import type { ProgrammeRules } from './eligibility/rules.js'
import { handoffRoutes, withUnansweredOffer } from './handoff/routes.js'
import type { HandoffSettings } from './handoff/settings.js'
import type { NotifyDeps } from './handoff/notify.js'
import { handoffMode } from './handoff/steps.js'
import { caseEffects } from './handoff/store.js'
import type { ProcessorDeps, Router } from './inbox/processor.js'
import type { KnowledgeEmbedder } from './knowledge/embedder.js'
import type { LineApi } from './line/client.js'
import type { RichMenuApi } from './line/richmenu-client.js'
import { deliverDue } from './line/outbox.js'
import type { Logger } from './log.js'
import { createDataFileSource, type DataFileSource } from './pmo/live-data.js'
import { outreachRoutes } from './outreach/routes.js'
import { outreachEffects } from './outreach/store.js'
import { runCampaigns } from './outreach/campaigns.js'
import { scheduleDeadlineReminders, type ReminderSettings } from './outreach/reminders.js'
import { privacyEffects } from './privacy/delete.js'

/**
 * The composition root: the bot's capabilities, its route order and its effect writers, built the
 * same way on Node, on Workers and in tests. The runtime entries (src/server.ts, src/worker.ts) only
 * choose the adapters — database, LINE client, embedder, model, log, data files — and run the result.
 */

/** Everything the bot's capabilities need, whichever runtime built it. */
export interface BotParts {
  db: Db
  embedder: KnowledgeEmbedder
  llm: { generator?: AnswerGenerator; classifier?: IntentClassifier; complete?: CompleteChat }
  assessment: AssessmentDefinition
  rules: ProgrammeRules
  handoff: HandoffSettings
}

/** How a question is answered: programme rules first, then the knowledge base (generated or extractive). */
export function answerDeps(parts: Omit<BotParts, 'handoff'>): AnswerDeps {
  return { db: parts.db, embedder: parts.embedder, ...parts.llm, eligibility: createEligibilityAnswerer({ db: parts.db, rules: parts.rules }) }
}

/**
 * The bot's routes in their one priority order: lifecycle (follow, unfollow…) and data deletion;
 * the handoff, which keeps the bot silent while a consultant has the chat and so goes before
 * everything else; the menu and unsupported messages; subscriptions and 我的資料; an open
 * assessment; question answering.
 * A feature holding the conversation (intake, assessment) passes what it cannot use to the routes
 * after it.
 *
 * Which routes run in which mode (`botModes`). The list is the same in every mode; a holding
 * feature takes the input before the routes after it see it:
 *
 *   mode             held by                    what runs
 *   ───────────────  ─────────────────────────  ─────────────────────────────────────────────────────────
 *   with-consultant  handoff, case open         lifecycle, data deletion, handoff: every other input is
 *                                              relayed to the case (the bot is silent)
 *   intake           handoff, asking details    lifecycle, data deletion, handoff: an intake answer, or
 *                                              what is none goes to the routes after it (menu …
 *                                              answers), then the intake question again
 *   assessing        assessment                 lifecycle … 我的資料 as in idle; then the assessment tries
 *                                              every text as an answer and passes the rest to the answers,
 *                                              with an offer to continue
 *   idle             nobody                     every route in order; the handoff and the assessment take
 *                                              only their own buttons and words
 *
 * The handoff's modes come from its slice; the cases row has the last word, so a stale slice runs as
 * idle. In 'intake' an open assessment still answers what the intake passes on.
 */
export function botRoutes(parts: BotParts): Route[] {
  const handoff = { db: parts.db, settings: parts.handoff, assessment: parts.assessment }
  const answers = withUnansweredOffer(answerRoutes(answerDeps(parts)), handoff)
  const assess = assessmentRoutes({ db: parts.db, definition: parts.assessment, rules: parts.rules, interleave: anyOf(answers) })
  const [lifecycle, dataDeletion, ...restOfCore] = coreRoutes
  const afterHandoff = [...restOfCore, ...outreachRoutes({ db: parts.db, rules: parts.rules }), ...assess, ...answers]
  return [lifecycle!, dataDeletion!, ...handoffRoutes({ ...handoff, interleave: anyOf(afterHandoff) }), ...afterHandoff]
}

/**
 * How the conversation's mode is read, once per input before any route runs: the first reader that
 * answers names it, else 'idle'. In the routes' order: the handoff (its slice, no query), then the
 * assessment (its table: it keeps no slice).
 */
export function botModes(parts: Pick<BotParts, 'db' | 'assessment'>): ModeReader[] {
  return [(facts) => handoffMode(facts.state), assessmentModeReader({ db: parts.db, definition: parts.assessment })]
}

/** Who writes each feature's effects. */
export const EFFECT_APPLIERS: EffectAppliers = { ...answerEffects, ...assessmentEffects, ...caseEffects, ...outreachEffects, ...privacyEffects }

/** The dispatcher over the newest data files: rebuilt (cheap: closures over the parts) when a file changed. */
function liveDispatcher(parts: BotParts, source: DataFileSource): Router {
  let built: { key: string; dispatch: Router } | undefined
  return async (input, facts) => {
    const data = await source.current(parts.db)
    if (built?.key !== data.key) {
      const live = { ...parts, assessment: data.assessment, rules: data.rules }
      built = { key: data.key, dispatch: createDispatcher(botRoutes(live), botModes(live)) }
    }
    return built.dispatch(input, facts)
  }
}

/** The answer chain (for the console's try-it box) with the newest programme rules. */
function liveAnswerDeps(parts: BotParts, source: DataFileSource): AnswerDeps {
  return {
    ...answerDeps(parts),
    eligibility: async (question, now, known) => answerDeps({ ...parts, rules: (await source.current(parts.db)).rules }).eligibility?.(question, now, known),
  }
}

/** What a runtime chooses; everything here outlives a database connection (Workers: the isolate). */
export interface BotAdapters {
  log: Logger
  embedder: KnowledgeEmbedder
  llm: BotParts['llm']
  /** The data files as shipped (Node reads them at start, Workers has them bundled); the PMO's saved ones win. */
  files: { assessment: AssessmentDefinition; rules: ProgrammeRules; handoff: HandoffSettings; reminders: ReminderSettings }
  consoleTexts: ConsoleTexts
  adminToken: string | undefined
  convert?: ConsoleDeps['convert']
}

/** The bot over one database connection and LINE client. */
export interface ConnectedBot {
  /** The inbox worker's dependencies: the dispatcher and the effect writers. */
  processor: ProcessorDeps
  /** The consultant and PMO consoles (built on demand: a webhook request needs none). */
  console(): Hono<ConsoleEnv>
  /** Consultants' notifications of new and overdue cases. */
  notify: NotifyDeps
  /** One round of outreach: deadline reminders that are due, then the campaigns' batches (until `deadline`). */
  outreach(deadline?: number): Promise<void>
}

export interface Bot {
  connect(io: { db: Db; line: LineApi; richMenus?: RichMenuApi; background: (work: Promise<unknown>) => void; instanceId?: string; loadingAfterMs?: number }): ConnectedBot
}

export function buildBot(adapters: BotAdapters): Bot {
  const { log, files } = adapters
  // Programme rules and the assessment as last saved in the PMO console (data_files), else the shipped files.
  const dataFiles = createDataFileSource({ assessment: files.assessment, rules: files.rules }, { log })
  let remindersCheckedAt = -Infinity
  return {
    connect({ db, line, richMenus, background, instanceId, loadingAfterMs }) {
      const parts: BotParts = { db, embedder: adapters.embedder, llm: adapters.llm, ...files }
      return {
        processor: { db, line, log, router: liveDispatcher(parts, dataFiles), effects: EFFECT_APPLIERS, loadingAfterMs },
        console: () =>
          consoleRoutes({
            db,
            log,
            adminToken: adapters.adminToken,
            line,
            deliver: (ids) => deliverDue(db, line, { ids, owner: instanceId }),
            background,
            answer: liveAnswerDeps(parts, dataFiles),
            model: adapters.llm.complete,
            assessment: files.assessment,
            rules: files.rules,
            handoff: files.handoff,
            texts: adapters.consoleTexts,
            convert: adapters.convert,
          }),
        notify: { db, settings: files.handoff, log, line, richMenus },
        async outreach(deadline) {
          // Reminders are looked for every ten minutes; their unique key makes them once in any case.
          if (Date.now() - remindersCheckedAt > 600_000) {
            remindersCheckedAt = Date.now()
            await scheduleDeadlineReminders({ db, rules: files.rules, settings: files.reminders, log }).catch((error: unknown) => log.error('deadline reminders failed', { error: String(error) }))
          }
          await runCampaigns({ db, line, log, owner: instanceId ?? 'bot', rules: files.rules }, deadline)
        },
      }
    },
  }
}
