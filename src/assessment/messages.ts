import type { messagingApi } from '@line/bot-sdk'
import { copy } from '../chat/copy.js'
import { postbackItem, text } from '../chat/messages.js'
import type { LineMessage } from '../line/limits.js'
import { assessmentCopy as c } from './copy.js'
import { questionsOf, wordingFor, type AssessmentDefinition, type Question } from './definition.js'
import type { AssessmentState } from './state.js'
import { answerLabel } from './scoring.js'

type QuickReplyItem = messagingApi.QuickReplyItem

/** Circled numbers for the five levels (NFKC turns them back into digits when typed). */
const CIRCLED = ['①', '②', '③', '④', '⑤']

export type AssessAction = 'assess' | 'assess-answer' | 'assess-back' | 'assess-skip' | 'assess-cancel' | 'assess-continue' | 'assess-restart' | 'assess-later'

/** Postback data of the assessment's buttons; the assessment and question ids make stale taps detectable. */
export function assessData(action: AssessAction, params: Record<string, string> = {}): string {
  return new URLSearchParams({ action, ...params }).toString()
}

export function questionAt(def: AssessmentDefinition, position: number): Question {
  return questionsOf(def)[position]!
}

function optionItems(def: AssessmentDefinition, state: AssessmentState, question: Question): QuickReplyItem[] {
  const base = { id: state.id, q: question.q.id }
  if (question.section === 'function') {
    const { label } = wordingFor(def, question, state.answers)
    return question.q.options.map((o) => postbackItem(`${CIRCLED[o.level - 1]} ${label(o.level, o.label)}`, assessData('assess-answer', { ...base, v: String(o.level) })))
  }
  return question.q.options.map((o) => postbackItem(o.label, assessData('assess-answer', { ...base, v: o.value })))
}

function navigationItems(state: AssessmentState, question: Question): QuickReplyItem[] {
  const base = { id: state.id, q: question.q.id }
  return [
    ...(state.position > 0 ? [postbackItem(c.quick.back, assessData('assess-back', base), '上一題')] : []),
    postbackItem(c.quick.skip, assessData('assess-skip', base)),
    postbackItem(c.quick.cancel, assessData('assess-cancel', { id: state.id }), '取消評測'),
  ]
}

export function hintFor(question: Question): string {
  if (question.section === 'function') return c.hintLevel
  if (question.q.kind === 'choice') return c.hintChoice
  return question.q.unit === 'people' ? c.hintPeople : c.hintMoney
}

/**
 * The current question: progress ("3/13"), the question, for functions the five levels spelled out,
 * and quick replies for the options plus 上一題 / 跳過 / 取消.
 */
export function questionMessage(def: AssessmentDefinition, state: AssessmentState, options: { before?: string; extra?: QuickReplyItem[] } = {}): LineMessage {
  const all = questionsOf(def)
  const question = all[state.position]!
  const lines: string[] = []
  if (options.before) lines.push(options.before, '')
  const section = question.section === 'function' ? `｜${question.q.name}` : `｜${question.q.short}`
  const wording = wordingFor(def, question, state.answers)
  lines.push(`${c.progress(def.title, state.position + 1, all.length)}${section}`, wording.question)
  if (question.section === 'function') {
    lines.push('', ...question.q.options.map((o) => `${CIRCLED[o.level - 1]} ${wording.label(o.level, o.label)}`), '', c.functionHint)
  }
  const previous = answerLabel(def, question, state.answers[question.q.id])
  if (previous) lines.push(c.previousAnswer(previous))
  return text(lines.join('\n'), [...optionItems(def, state, question), ...navigationItems(state, question), ...(options.extra ?? [])])
}

export function introMessage(def: AssessmentDefinition, before?: string): LineMessage {
  const functions = def.functions.length
  const profile = def.profile.length
  return text([before, c.intro(def.title, profile + functions, profile, functions)].filter(Boolean).join('\n\n'))
}

export function startItems(): QuickReplyItem[] {
  return [postbackItem(c.quick.start, assessData('assess')), postbackItem(copy.quick.menu, 'action=menu', copy.quick.menu)]
}

export function cancelledMessage(): LineMessage {
  return text(c.cancelled, [postbackItem(c.quick.restart, assessData('assess'), c.quick.start), postbackItem(copy.quick.ask, 'action=ask'), postbackItem(copy.quick.menu, 'action=menu')])
}

/** Offered after an answer given in the middle of an assessment: carry on or stop. */
export function continueItems(state: AssessmentState): QuickReplyItem[] {
  return [postbackItem(c.quick.continue, assessData('assess-continue', { id: state.id }), '繼續評測'), postbackItem(c.quick.cancelAssessment, assessData('assess-cancel', { id: state.id }), '取消評測')]
}

export function continuePrompt(def: AssessmentDefinition, state: AssessmentState, keep: QuickReplyItem[] = []): LineMessage {
  const total = questionsOf(def).length
  const [go, stop] = continueItems(state)
  return text(c.continuePrompt(state.position + 1, total), [go!, ...keep.slice(0, 10), stop!])
}
