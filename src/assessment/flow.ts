import { postbackItem, text } from '../chat/messages.js'
import type { ProgrammeRules } from '../eligibility/rules.js'
import type { LineMessage } from '../line/limits.js'
import { assessmentCopy as c } from './copy.js'
import { applies, questionsOf, type AssessmentDefinition, type Question } from './definition.js'
import { assessData, cancelledMessage, continuePrompt, hintFor, introMessage, questionMessage, startItems } from './messages.js'
import { resultMessages, type DocumentRef } from './result-card.js'
import { answerLabel, buildResult, type PreviousResult, type StoredAnswer } from './scoring.js'
import type { AssessmentState } from './state.js'

export type { AssessmentState } from './state.js'
import { understand, type Understood } from './understand.js'

/**
 * The assessment conversation as pure steps: (state, event) → replies and the states to store.
 * Nothing here reads or writes; the route loads the user's open assessment and saves what a step returns.
 */

export type FlowEvent =
  /** From the menu or words like 數位健檢: resume the open assessment or start one (id for a new one). */
  | { type: 'start'; newId: string }
  | { type: 'restart'; newId: string }
  /** A tapped option of question `questionId` in assessment `assessmentId`. */
  | { type: 'answer'; assessmentId: string; questionId: string; value: string }
  | { type: 'back' | 'skip'; assessmentId: string; questionId?: string }
  | { type: 'cancel' | 'continue'; assessmentId?: string }
  /** Typed text; newId in case it says 重新開始. */
  | { type: 'text'; text: string; newId: string }
  | { type: 'later' }

export interface FlowEnv {
  def: AssessmentDefinition
  rules: ProgrammeRules
  now: Date
  /** The user's latest completed result, for the change since last time. */
  previous?: PreviousResult
  /** Titles of the knowledge documents the programme rules cite, for the result's sources. */
  documents?: Record<string, DocumentRef>
}

export interface StepResult {
  intent: string
  replies: LineMessage[]
  /** States to store, in order (an old assessment is closed before a new one starts). */
  save: AssessmentState[]
  /** Text that answers nothing: the caller may treat it as a question, or ask again with `replies`. */
  notUnderstood?: boolean
}

export function isExpired(def: AssessmentDefinition, state: AssessmentState, now: Date): boolean {
  return state.status === 'in_progress' && now.getTime() - new Date(state.updatedAt).getTime() > def.expires_after_days * 86_400_000
}

function fresh(env: FlowEnv, id: string): AssessmentState {
  const at = env.now.toISOString()
  return { id, version: env.def.version, status: 'in_progress', position: 0, answers: {}, startedAt: at, updatedAt: at }
}

function touch(env: FlowEnv, state: AssessmentState, patch: Partial<AssessmentState>): AssessmentState {
  return { ...state, ...patch, updatedAt: env.now.toISOString() }
}

/** Whether a stored answer still fits the question as it is now defined. */
function fits(question: Question, answer: StoredAnswer): boolean {
  if ('skipped' in answer) return true
  if ('level' in answer) return question.section === 'function' && question.q.options.some((o) => o.level === answer.level)
  if ('amount' in answer) return question.section === 'profile' && question.q.kind === 'amount'
  return question.q.options.some((o) => 'value' in o && o.value === answer.option)
}

/**
 * An open assessment started under another version of the questions (PMO staff edited them) carries
 * over the answers to questions that still exist with the same options, and continues at the first
 * question without one: its position would otherwise point at a different question, or past the end.
 */
function realign(def: AssessmentDefinition, state: AssessmentState): AssessmentState {
  const questions = questionsOf(def)
  if (state.version === def.version && state.position < questions.length) return state
  const answers: Record<string, StoredAnswer> = {}
  for (const question of questions) {
    const answer = state.answers[question.q.id]
    if (answer && fits(question, answer)) answers[question.q.id] = answer
  }
  const next = questions.findIndex((question) => !(question.q.id in answers))
  return { ...state, version: def.version, answers, position: next === -1 ? questions.length - 1 : next }
}

function current(env: FlowEnv, state: AssessmentState): Question {
  return questionsOf(env.def)[state.position]!
}

function begin(env: FlowEnv, newId: string, before: AssessmentState[], note?: string): StepResult {
  const state = fresh(env, newId)
  return { intent: 'assess-start', replies: [introMessage(env.def, note), questionMessage(env.def, state)], save: [...before, state] }
}

/** Stores an answer and moves on; after the last question the result is built and shown. */
function advance(env: FlowEnv, state: AssessmentState, answer: StoredAnswer, ack?: string): StepResult {
  const question = current(env, state)
  const answers: Record<string, StoredAnswer> = { ...state.answers, [question.q.id]: answer }
  const all = questionsOf(env.def)
  let position = state.position + 1
  // A question that does not apply to this kind of firm is passed over, as if skipped.
  while (position < all.length && !applies(env.def, all[position]!, answers)) answers[all[position++]!.q.id] = { skipped: true }
  if (position < all.length) {
    const next = touch(env, state, { answers, position })
    return { intent: 'assess-answer', replies: [questionMessage(env.def, next, { before: ack })], save: [next] }
  }
  const result = buildResult(env.def, env.rules, answers, env.now, env.previous)
  const done = touch(env, state, { answers, position: state.position, status: 'completed', result })
  return { intent: 'assess-complete', replies: resultMessages(env.def, env.rules, done.id, result, ack, env.documents), save: [done] }
}

function reask(env: FlowEnv, state: AssessmentState, message: string): StepResult {
  return { intent: 'assess-reask', replies: [questionMessage(env.def, state, { before: message })], save: [] }
}

function applyUnderstood(env: FlowEnv, state: AssessmentState, u: Understood, raw: string, newId: string): StepResult {
  const question = current(env, state)
  switch (u.type) {
    case 'command':
      return step(env, state, u.command === 'restart' ? { type: 'restart', newId } : { type: u.command, assessmentId: state.id })
    case 'level':
      return advance(env, state, { level: u.level }, c.understood(answerLabel(env.def, question, { level: u.level })!))
    case 'option':
      return advance(env, state, { option: u.value }, c.understood(answerLabel(env.def, question, { option: u.value })!))
    case 'amount':
      return advance(env, state, { amount: u.range }, c.understood(answerLabel(env.def, question, { amount: u.range })!))
    case 'needs-unit':
      return reask(env, state, c.needsUnit)
    case 'none':
      return { ...reask(env, state, c.notUnderstood(hintFor(question))), notUnderstood: raw.trim().length > 0 }
  }
}

export function step(env: FlowEnv, open: AssessmentState | undefined, event: FlowEvent): StepResult {
  const { def } = env
  const total = questionsOf(def).length
  if (event.type === 'later') return { intent: 'assess-later', replies: [text(c.later, startItems())], save: [] }

  const expired = open && isExpired(def, open, env.now) ? { ...open, status: 'expired' as const } : undefined
  const active = expired || !open ? undefined : realign(def, open)
  const updated = active !== undefined && active !== open
  if (event.type === 'start') {
    if (expired) return begin(env, event.newId, [expired], c.expiredRestart(def.expires_after_days))
    if (!active) return begin(env, event.newId, [])
    const resumed = touch(env, active, {})
    const restart = postbackItem(c.quick.restart, assessData('assess-restart', { id: active.id }))
    const before = updated ? `${c.questionsUpdated}\n${c.resumed(active.position + 1, total)}` : c.resumed(active.position + 1, total)
    return { intent: 'assess-resume', replies: [questionMessage(def, resumed, { before, extra: [restart] })], save: [resumed] }
  }
  if (event.type === 'restart') {
    const closed = open ? [{ ...open, status: expired ? ('expired' as const) : ('cancelled' as const), updatedAt: env.now.toISOString() }] : []
    return begin(env, event.newId, closed, c.restarted)
  }

  // Everything else acts on the open assessment.
  if (expired) return { intent: 'assess-expired', replies: [text(c.expired(def.expires_after_days), startItems())], save: [expired] }
  if (!active) return { intent: 'assess-none', replies: [text(c.noActive, startItems())], save: [] }
  if ('assessmentId' in event && event.assessmentId && event.assessmentId !== active.id) {
    return { intent: 'assess-stale', replies: [questionMessage(def, active, { before: c.stale(active.position + 1, total) })], save: [] }
  }
  const question = current(env, active)
  if ((event.type === 'answer' || ((event.type === 'back' || event.type === 'skip') && event.questionId)) && event.questionId !== question.q.id) {
    return { intent: 'assess-stale', replies: [questionMessage(def, active, { before: c.stale(active.position + 1, total) })], save: [] }
  }

  switch (event.type) {
    case 'answer': {
      if (question.section === 'function') {
        const level = Number(event.value)
        return question.q.options.some((o) => o.level === level) ? advance(env, active, { level }) : reask(env, active, c.notUnderstood(hintFor(question)))
      }
      return question.q.options.some((o) => o.value === event.value) ? advance(env, active, { option: event.value }) : reask(env, active, c.notUnderstood(hintFor(question)))
    }
    case 'skip':
      return advance(env, active, { skipped: true }, c.skipped)
    case 'back': {
      const all = questionsOf(def)
      let position = active.position - 1
      while (position > 0 && !applies(def, all[position]!, active.answers)) position--
      if (active.position === 0) return reask(env, active, c.firstQuestion)
      const back = touch(env, active, { position })
      return { intent: 'assess-back', replies: [questionMessage(def, back)], save: [back] }
    }
    case 'cancel': {
      const cancelled = touch(env, active, { status: 'cancelled' })
      return { intent: 'assess-cancel', replies: [cancelledMessage()], save: [cancelled] }
    }
    case 'continue':
      return { intent: 'assess-continue', replies: [questionMessage(def, active)], save: [] }
    case 'text':
      return applyUnderstood(env, active, understand(def, question, event.text), event.text, event.newId)
  }
}

/** After an answer to a question asked mid-way: the offer to carry on (keeping that answer's own buttons). */
export function offerToContinue(env: FlowEnv, open: AssessmentState, keep: Parameters<typeof continuePrompt>[2] = []): LineMessage {
  return continuePrompt(env.def, open, keep)
}
