import { describe, expect, it } from 'vitest'
import { readDefinition } from '../../src/assessment/load.js'
import { assessmentMode, assessmentModeReader } from '../../src/assessment/mode.js'
import type { AssessmentState } from '../../src/assessment/state.js'
import { botModes } from '../../src/bot.js'
import { createDispatcher, modeOf } from '../../src/chat/dispatch.js'
import type { ChatContext, ConversationFacts, ConversationMode, ModeReader, Route } from '../../src/chat/types.js'
import type { Db } from '../../src/db/types.js'
import { handoffMode } from '../../src/handoff/steps.js'

// Who holds the conversation: each feature maps its state onto the kernel's mode; the dispatcher reads it once per input.
const def = await readDefinition()
const now = new Date('2026-11-22T00:00:00Z')
const facts = (over: Partial<ConversationFacts> = {}): ConversationFacts => ({ chatType: 'user', chatId: 'U1', userId: 'U1', state: {}, now, ...over })
/** A database no reader may touch: any query fails the test. */
const noQueries = new Proxy({}, { get: () => () => Promise.reject(new Error('no query expected')) }) as unknown as Db
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString()
const assessment = (over: Partial<AssessmentState> = {}): AssessmentState => ({
  id: '0b6f6f3e-8a52-4a52-9a3c-0d7c1a0e4d11',
  version: def.version,
  status: 'in_progress',
  position: 2,
  answers: {},
  startedAt: daysAgo(1),
  updatedAt: daysAgo(1),
  ...over,
})

describe('the handoff slice as a mode', () => {
  it('reads intake and an open case from the slice, without a query', () => {
    expect(handoffMode({ handoff: { caseId: 3, status: 'intake', asking: 'company' } })).toBe('intake')
    expect(handoffMode({ handoff: { caseId: 3, status: 'open' } })).toBe('with-consultant')
  })

  it('says nothing without a well-formed slice (other slices are not its own)', () => {
    expect(handoffMode({})).toBeUndefined()
    expect(handoffMode({ firm: { employees: 12 } })).toBeUndefined()
    expect(handoffMode({ handoff: { caseId: 'x', status: 'open' } })).toBeUndefined()
    expect(handoffMode({ handoff: { caseId: 3, status: 'resolved' } })).toBeUndefined()
    expect(handoffMode({ handoff: null })).toBeUndefined()
  })
})

describe('the assessment as a mode', () => {
  it('is assessing while an assessment is unfinished and not expired', () => {
    expect(assessmentMode(assessment(), def, now)).toBe('assessing')
  })

  it('says nothing of no assessment, a finished one or an expired one', () => {
    expect(assessmentMode(undefined, def, now)).toBeUndefined()
    expect(assessmentMode(assessment({ status: 'completed' }), def, now)).toBeUndefined()
    expect(assessmentMode(assessment({ status: 'cancelled' }), def, now)).toBeUndefined()
    const stale = daysAgo(def.expires_after_days + 1)
    expect(assessmentMode(assessment({ startedAt: stale, updatedAt: stale }), def, now)).toBeUndefined()
  })

  it('asks its table only in a 1:1 chat with a user', async () => {
    const read = assessmentModeReader({ db: noQueries, definition: def })
    expect(await read(facts({ chatType: 'group', chatId: 'C1' }))).toBeUndefined()
    expect(await read(facts({ userId: undefined }))).toBeUndefined()
  })
})

describe('the dispatcher and the mode', () => {
  const seen = (log: ChatContext[]): Route => (_input, ctx) => {
    log.push(ctx)
    return undefined
  }

  it('takes the first reader that answers, else idle', async () => {
    const calls: string[] = []
    const reader = (name: string, mode: ConversationMode | undefined): ModeReader => async () => {
      calls.push(name)
      return mode
    }
    expect(await modeOf([reader('a', undefined), reader('b', 'intake'), reader('c', 'assessing')], facts())).toBe('intake')
    expect(calls).toEqual(['a', 'b'])
    expect(await modeOf([reader('d', undefined)], facts())).toBe('idle')
    expect(await modeOf([], facts())).toBe('idle')
  })

  it('puts the mode on the context before any route runs, read once per input', async () => {
    const order: string[] = []
    const log: ChatContext[] = []
    const readers: ModeReader[] = [
      () => {
        order.push('mode')
        return undefined
      },
      (f) => {
        order.push('mode')
        return (f.state as { busy?: boolean }).busy ? 'assessing' : undefined
      },
    ]
    const first: Route = (input, ctx) => {
      order.push('route')
      return seen(log)(input, ctx)
    }
    const dispatch = createDispatcher([first, seen(log), seen(log)], readers)
    const outcome = await dispatch({ kind: 'text', text: '今天天氣如何' }, facts({ state: { busy: true } }))
    expect(outcome.intent).toBe('unknown')
    expect(order).toEqual(['mode', 'mode', 'route'])
    expect(log.map((c) => c.mode)).toEqual(['assessing', 'assessing', 'assessing'])
    expect(log[0]).toMatchObject({ chatId: 'U1', userId: 'U1', state: { busy: true }, now })

    log.length = 0
    await dispatch({ kind: 'text', text: '你好嗎' }, facts())
    expect(log.map((c) => c.mode)).toEqual(['idle', 'idle', 'idle'])
  })

  it('is idle with no readers registered', async () => {
    const log: ChatContext[] = []
    await createDispatcher([seen(log)])({ kind: 'follow' }, facts())
    expect(log[0]?.mode).toBe('idle')
  })
})

describe('the composition root’s mode readers', () => {
  const modes = botModes({ db: noQueries, assessment: def })

  it('read the handoff slice first, so a handoff needs no query', async () => {
    expect(await modeOf(modes, facts({ state: { handoff: { caseId: 9, status: 'open' } } }))).toBe('with-consultant')
    expect(await modeOf(modes, facts({ state: { handoff: { caseId: 9, status: 'intake', asking: 'question' } } }))).toBe('intake')
  })

  it('leave a group idle without a query', async () => {
    expect(await modeOf(modes, facts({ chatType: 'group', chatId: 'C1', userId: 'U1' }))).toBe('idle')
  })
})
