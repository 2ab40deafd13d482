import { text } from '../chat/messages.js'
import { followedBy, QUESTION } from '../chat/dispatch.js'
import { parsePostback } from '../chat/router.js'
import type { ChatContext, ChatInput, Outcome, Route } from '../chat/types.js'
import type { Db } from '../db/types.js'
import type { ProgrammeRules } from '../eligibility/rules.js'
import { FIRM_STATE_KEY } from '../eligibility/engine.js'
import { assessmentCopy as c } from './copy.js'
import { questionsOf, type AssessmentDefinition } from './definition.js'
import { offerToContinue, step, type AssessmentState, type FlowEnv, type FlowEvent } from './flow.js'
import { assessmentMode } from './mode.js'
import { loadDocumentRefs, loadOpen, loadPrevious, toSaved } from './store.js'
import { normalize, parseCommand } from './understand.js'

export interface AssessmentDeps {
  db: Db
  definition: AssessmentDefinition
  rules: ProgrammeRules
  /**
   * The routes that answer anything else said mid-way (the answer capability). Their answer is sent
   * with an offer to continue the assessment.
   */
  interleave?: Route
  newId?: () => string
}

/** Politeness around a trigger word: "我想做數位健檢", "開始評測吧". */
const TRIGGER_WRAP = /^(請|我想|我要|想要|想|幫我|來|開始|可以)?(做|進行|測)?(一下|個|一個)?|(一下|吧|好了|看看)?[!！。~～]*$/g

function postbackEvent(params: URLSearchParams, newId: string): FlowEvent {
  const id = params.get('id') ?? undefined
  const q = params.get('q') ?? undefined
  switch (params.get('action')) {
    case 'assess-answer':
      return { type: 'answer', assessmentId: id ?? '', questionId: q ?? '', value: params.get('v') ?? '' }
    case 'assess-back':
      return { type: 'back', assessmentId: id ?? '', questionId: q }
    case 'assess-skip':
      return { type: 'skip', assessmentId: id ?? '', questionId: q }
    case 'assess-cancel':
      return { type: 'cancel', assessmentId: id }
    case 'assess-continue':
      return { type: 'continue', assessmentId: id }
    case 'assess-restart':
      return { type: 'restart', newId }
    case 'assess-later':
      return { type: 'later' }
    default:
      return { type: 'start', newId }
  }
}

/**
 * The quick assessment's route. It takes the menu postback, words like 數位健檢 and its own buttons;
 * while an assessment is open, every text is first tried as an answer, and what is no answer goes to
 * the `interleave` routes with an offer to continue. In groups it only points to the 1:1 chat.
 * It relies on `assessmentModeReader` being registered with the dispatcher: in mode 'idle' it takes
 * only its own buttons and words, without a query.
 */
export function assessmentRoutes(deps: AssessmentDeps): Route[] {
  const { definition: def, rules, db } = deps
  const newId = deps.newId ?? (() => crypto.randomUUID())
  const triggers = new Set(def.triggers.map(normalize))
  const total = questionsOf(def).length
  const isTrigger = (s: string) => {
    const t = normalize(s)
    return triggers.has(t) || triggers.has(t.replace(TRIGGER_WRAP, ''))
  }

  async function envFor(ctx: ChatContext, userId: string, open: AssessmentState | undefined): Promise<FlowEnv> {
    // Only a step on the last question can finish; only then are the previous result and sources needed.
    const finishing = open !== undefined && open.position >= total - 1
    return {
      def,
      rules,
      now: ctx.now,
      previous: finishing ? await loadPrevious(db, userId) : undefined,
      documents: finishing ? await loadDocumentRefs(db, [...rules.programmes.map((p) => p.document), def.levels_document, def.tool_categories_document]) : undefined,
    }
  }

  async function interleaved(input: ChatInput, ctx: ChatContext, env: FlowEnv, open: AssessmentState): Promise<Outcome | undefined> {
    const other = await deps.interleave?.(input, ctx)
    return other ? followedBy(other, 'assess-continue', (keep) => offerToContinue(env, open, keep)) : undefined
  }

  const route: Route = async (input, ctx) => {
    const params = input.kind === 'postback' ? parsePostback(input.data) : undefined
    const ours = params?.get('action')?.startsWith('assess') ?? false
    const trigger = input.kind === 'text' && isTrigger(input.text)
    if (ctx.chatType !== 'user' || !ctx.userId) {
      return ours || trigger ? { intent: 'assess-private-only', replies: [text(c.onlyInPrivate)] } : undefined
    }
    if (!ours && input.kind !== 'text' && input.kind !== 'postback') return undefined
    // 'idle': every mode reader, this feature's included (assessmentModeReader), found nothing open.
    // In another mode (a handoff holds the chat) an assessment may still be open: the table tells.
    if (!ours && !trigger && ctx.mode === 'idle') return undefined

    const open = await loadOpen(db, ctx.userId)
    const env = await envFor(ctx, ctx.userId, open)
    const active = assessmentMode(open, def, ctx.now) ? open : undefined
    let event: FlowEvent
    if (params && ours) event = postbackEvent(params, newId())
    else if (trigger) event = { type: 'start', newId: newId() }
    else if (!active) return undefined
    else if (input.kind !== 'text') return interleaved(input, ctx, env, active)
    else if (!parseCommand(input.text) && QUESTION.test(input.text)) return (await interleaved(input, ctx, env, active)) ?? undefined
    else event = { type: 'text', text: input.text, newId: newId() }

    const result = step(env, open, event)
    if (result.notUnderstood && input.kind === 'text' && active) {
      const other = await interleaved(input, ctx, env, active)
      // A declined "answer" that is no question either is nonsense: ask the question again, kindly.
      if (other && !/^question-(not-covered|out-of-scope)\+/.test(other.intent)) return other
    }
    // A finished assessment tells later eligibility questions about the firm, so nothing is asked twice.
    const completed = result.save.find((s) => s.status === 'completed' && s.result)?.result
    return {
      intent: result.intent,
      replies: result.replies,
      effects: [
        ...result.save.map((s) => ({ type: 'save-assessment' as const, assessment: toSaved(s) })),
        ...(completed ? [{ type: 'patch-state' as const, key: FIRM_STATE_KEY, value: { ...(ctx.state[FIRM_STATE_KEY] as object | undefined), ...completed.facts } }] : []),
      ],
    }
  }
  return [route]
}
