import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ChatInput } from '../../src/chat/types.js'
import { HANDOFF_SETTINGS_FILE } from '../../src/handoff/load.js'
import { parseHandoffSettings } from '../../src/handoff/settings.js'
import { handoffStep, intakeOutcome, opened, rated, readInput, sliceOf, started, whileOpen } from '../../src/handoff/steps.js'
import type { CaseRow } from '../../src/handoff/store.js'

// The handoff's decisions as pure steps: no database, no LINE — what was said and what was loaded in, outcome out.
const settings = parseHandoffSettings(readFileSync(HANDOFF_SETTINGS_FILE, 'utf8'), 'handoff.yaml')
const say = (t: string): ChatInput => ({ kind: 'text', text: t })
const tap = (data: string): ChatInput => ({ kind: 'postback', data })
const caseRow = (status: CaseRow['status'], intake: CaseRow['intake'] = {}): CaseRow => ({ id: 7, conversationId: 1, userId: 'U1', status, reason: 'asked', assessmentId: null, intake })
const user = (current?: CaseRow, slice = current ? { caseId: current.id, status: current.status === 'open' ? ('open' as const) : ('intake' as const) } : undefined) => ({
  chatType: 'user',
  userId: 'U1',
  replyToken: 'token-1',
  slice,
  current,
})
const texts = (o: { replies: unknown[] }) => o.replies.map((r) => (r as { text?: string }).text ?? '').join('\n')

describe('reading what the user said', () => {
  it('tells a short request from a question that merely mentions a consultant', () => {
    expect(readInput(say('找真人顧問'), settings).asks).toBe(true)
    expect(readInput(say('真人顧問是什麼？'), settings).asks).toBe(false)
    expect(readInput(say('我想知道如果之後要找真人顧問協助申請，需要先準備哪些文件資料呢'), settings).asks).toBe(false)
    expect(readInput(say('結束真人服務'), settings)).toMatchObject({ ends: true, asks: false })
    expect(readInput(tap('action=consultant&reason=unanswered'), settings)).toMatchObject({ asks: true, ours: true })
  })

  it('reads only a well-formed slice of the conversation state', () => {
    expect(sliceOf({ handoff: { caseId: 3, status: 'open' } })).toEqual({ caseId: 3, status: 'open' })
    expect(sliceOf({ handoff: { caseId: 'x', status: 'open' } })).toBeUndefined()
    expect(sliceOf({})).toBeUndefined()
  })
})

describe('handoff steps', () => {
  it('passes what is not its own, and answers its words in a group only with a pointer to the 1:1 chat', () => {
    expect(handoffStep(readInput(say('雲市集補助多少'), settings), user())).toEqual({ kind: 'pass' })
    const group = handoffStep(readInput(say('找真人'), settings), { chatType: 'group', userId: 'U1', slice: undefined, current: undefined })
    expect(group).toMatchObject({ kind: 'done', outcome: { intent: 'handoff-private-only' } })
  })

  it('starts a request with no case: asks to load the chat’s case, with the reason and the ids of the tap', () => {
    const id = crypto.randomUUID()
    expect(handoffStep(readInput(tap(`action=consultant&reason=unanswered&answer=${id}`), settings), user())).toEqual({ kind: 'start', reason: 'unanswered', assessmentId: undefined, answerId: id })
    expect(handoffStep(readInput(tap(`action=consultant&assessment=${id}`), settings), user())).toMatchObject({ kind: 'start', reason: 'assessment', assessmentId: id })
  })

  it('says there is no case to end, and drops a stale slice', () => {
    const step = handoffStep(readInput(say('結束真人服務'), settings), { ...user(), slice: { caseId: 9, status: 'open' } })
    expect(step).toMatchObject({ kind: 'done', outcome: { intent: 'handoff-none', effects: [{ type: 'patch-state', key: 'handoff', value: null }] } })
  })

  it('while a case is open: stays silent and keeps the reply token for the consultant; ends on the end words', () => {
    const open = caseRow('open')
    const relay = handoffStep(readInput(say('請問進度如何'), settings), user(open))
    expect(relay).toEqual({ kind: 'done', outcome: whileOpen(open, false, false, 'token-1') })
    expect(whileOpen(open, false, false, 'token-1')).toEqual({ intent: 'handoff-relay', replies: [], effects: [{ type: 'case-user-message', caseId: 7, replyToken: 'token-1' }] })
    const end = whileOpen(open, true, false, 'token-1')
    expect(end.intent).toBe('handoff-end')
    expect(end.effects).toEqual([{ type: 'case-close', caseId: 7, by: 'user' }])
    // Asking again spends the token on the reply, so none is kept.
    expect(whileOpen(open, false, true, 'token-1').effects).toEqual([{ type: 'case-user-message', caseId: 7 }])
  })

  it('during intake: an answer moves to the next detail; a question or the menu goes to the other routes first', () => {
    const intake = caseRow('intake')
    const slice = { caseId: 7, status: 'intake' as const, asking: 'company' as const }
    const answer = handoffStep(readInput(say('阿明五金行'), settings), { ...user(intake), slice })
    expect(answer).toMatchObject({ kind: 'done', outcome: { intent: 'handoff-intake', effects: [{ type: 'case-update', caseId: 7, intake: { company: '阿明五金行' }, asking: 'contactTime' }] } })
    expect(handoffStep(readInput(say('雲市集補助多少？'), settings), { ...user(intake), slice })).toEqual({ kind: 'interleave', asking: 'company' })
    expect(handoffStep(readInput(say('選單'), settings), { ...user(intake), slice })).toEqual({ kind: 'interleave', asking: 'company' })
    // When the question is being asked, a question is the answer.
    const asked = handoffStep(readInput(say('雲市集補助多少？'), settings), { ...user(caseRow('intake', { company: 'A', contactTime: null })), slice: { ...slice, asking: 'question' } })
    expect(asked).toMatchObject({ kind: 'open', intake: { company: 'A', contactTime: null, question: '雲市集補助多少？' } })
  })

  it('during intake: 取消 closes the case as cancelled; an input no other route took is read as intake', () => {
    const intake = caseRow('intake')
    expect(handoffStep(readInput(say('取消'), settings), user(intake))).toMatchObject({ kind: 'done', outcome: { intent: 'handoff-cancel', effects: [{ type: 'case-close', caseId: 7, by: 'cancelled' }] } })
    expect(intakeOutcome(readInput({ kind: 'unsupported', messageType: 'sticker' }, settings), intake, 'company')).toMatchObject({ kind: 'done', outcome: { intent: 'handoff-intake' } })
  })

  it('opens the case with its due time and the assignee, if any', () => {
    const now = new Date('2026-12-07T02:00:00Z') // Monday 10:00 in Taipei
    const withAssignee = opened(caseRow('intake'), { company: 'A' }, { id: 'c1', username: 'amy', displayName: 'Amy', regions: [], industries: [], openCases: 0 } as never, now, settings)
    expect(withAssignee.intent).toBe('handoff-open')
    expect(withAssignee.effects).toEqual([{ type: 'case-open', caseId: 7, intake: { company: 'A' }, dueAt: expect.any(String), assigneeId: 'c1' }])
    expect(new Date((withAssignee.effects![0] as { dueAt: string }).dueAt).getTime()).toBeGreaterThan(now.getTime())
    expect(opened(caseRow('intake'), {}, undefined, now, settings).effects![0]).not.toHaveProperty('assigneeId')
  })

  it('a request with a case already: an open one is said to be open, one in intake is resumed; else intake skips what is known', () => {
    const start = { kind: 'start' as const, reason: 'unanswered' as const, assessmentId: undefined, answerId: undefined }
    expect(started(caseRow('open'), start, {})).toMatchObject({ intent: 'handoff-already-open', effects: [{ type: 'patch-state', value: { caseId: 7, status: 'open' } }] })
    expect(started(caseRow('intake', { company: 'A' }), start, {})).toMatchObject({ intent: 'handoff-resume', effects: [{ type: 'case-update', asking: 'contactTime' }] })
    const fresh = started(undefined, start, { company: 'A', question: '青創貸款？' })
    expect(fresh.effects).toEqual([{ type: 'case-start', reason: 'unanswered', intake: { company: 'A', question: '青創貸款？' }, asking: 'contactTime' }])
    expect(texts(fresh)).not.toBe('')
  })

  it('stores a rating only on the user’s own resolved case', () => {
    expect(rated(caseRow('resolved'), 5)).toMatchObject({ intent: 'handoff-rating', effects: [{ type: 'case-rating', caseId: 7, score: 5 }] })
    expect(rated(caseRow('open'), 5).intent).toBe('handoff-rating-invalid')
    expect(rated(undefined, 5).intent).toBe('handoff-rating-invalid')
    expect(handoffStep(readInput(tap('action=case-rating&case=7&score=9'), settings), user())).toEqual({ kind: 'rate', caseId: 7, score: undefined })
  })
})
