import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DataFileError } from '../../src/data-file.js'
import { intakeStep, openedMessages, startIntake, textEvent } from '../../src/handoff/flow.js'
import { HANDOFF_SETTINGS_FILE } from '../../src/handoff/load.js'
import { parseHandoffSettings } from '../../src/handoff/settings.js'

const settings = parseHandoffSettings(readFileSync(HANDOFF_SETTINGS_FILE, 'utf8'), 'handoff.yaml')
type Msg = { text: string; quickReply?: { items: { action: { label: string; data?: string } }[] } }
const first = (r: { replies: unknown[] }) => r.replies[0] as Msg

describe('handoff intake steps', () => {
  it('asks company, contact time and question in turn, each skippable', () => {
    const start = startIntake({}, false)
    expect(start.asking).toBe('company')
    expect(first(start).text).toContain('轉介真人顧問')
    expect(first(start).quickReply!.items.map((i) => i.action.data)).toEqual(['action=handoff-skip&field=company', 'action=handoff-cancel'])
    const afterCompany = intakeStep({}, 'company', textEvent(' 阿明五金行 '))
    expect(afterCompany).toMatchObject({ kind: 'ask', asking: 'contactTime', intake: { company: '阿明五金行' } })
    const afterSkip = intakeStep({ company: '阿明五金行' }, 'contactTime', textEvent('略過'))
    expect(afterSkip).toMatchObject({ kind: 'ask', asking: 'question', intake: { company: '阿明五金行', contactTime: null } })
    expect(intakeStep({ company: '阿明五金行', contactTime: null }, 'question', textEvent('想申請雲市集'))).toEqual({
      kind: 'complete',
      intake: { company: '阿明五金行', contactTime: null, question: '想申請雲市集' },
    })
  })

  it('does not ask what is already known', () => {
    const start = startIntake({ company: '阿明五金行', question: '青創貸款可以借多少？' }, false)
    expect(start.asking).toBe('contactTime')
    expect(first(start).text).toContain('「青創貸款可以借多少？」')
    expect(intakeStep({ company: 'A', question: 'Q' }, 'contactTime', { type: 'skip', field: 'contactTime' })).toMatchObject({ kind: 'complete' })
  })

  it('cancels, and treats a stale skip button or other input as a reminder', () => {
    expect(intakeStep({}, 'company', textEvent('取消'))).toEqual({ kind: 'cancel' })
    const stale = intakeStep({ company: 'A' }, 'contactTime', { type: 'skip', field: 'company' })
    expect(stale).toMatchObject({ kind: 'ask', asking: 'contactTime', intake: { company: 'A' } })
    expect(first(stale as { replies: unknown[] }).text).toContain('請先回答這一題')
    expect(intakeStep({}, 'company', { type: 'other' })).toMatchObject({ kind: 'ask', asking: 'company' })
    expect(first(intakeStep({}, 'company', textEvent('長'.repeat(201))) as { replies: unknown[] }).text).toContain('200 個字')
  })

  it('says when a consultant will reply, inside and outside office hours', () => {
    const inHours = openedMessages(12, { company: 'A', contactTime: null, question: 'Q' }, new Date('2026-12-02T10:00:00+08:00'), settings)
    expect(first(inHours).text).toContain('編號 #12')
    expect(first(inHours).text).toContain('目前是上班時間，顧問預計在 今天 12:00 前回覆')
    expect(first(inHours).text).toContain('・聯絡時間：（略過）')
    expect(first(inHours).quickReply!.items[0]!.action.data).toBe('action=end-handoff')
    const friday = openedMessages(13, {}, new Date('2026-12-04T19:00:00+08:00'), settings)
    expect(first(friday).text).toContain('現在非上班時間（上班時間：週一至週五 09:00–18:00），顧問將於 週一（12/7）09:00 後回覆，最晚 週一（12/7）11:00 前')
    expect(friday.dueAt).toEqual(new Date('2026-12-07T11:00:00+08:00'))
  })
})

describe('the handoff settings file', () => {
  const shipped = readFileSync(HANDOFF_SETTINGS_FILE, 'utf8')
  it('ships valid, with canned replies for the console', () => {
    expect(settings.canned_replies.length).toBeGreaterThan(0)
    expect(settings.notify).toEqual({ lineGroupId: undefined, webhookUrl: undefined })
  })
  it('names the file and the field when it is broken', () => {
    const broken = shipped.replace('close: "18:00"', 'close: "6pm"')
    expect(() => parseHandoffSettings(broken, 'handoff.yaml')).toThrow(DataFileError)
    expect(() => parseHandoffSettings(broken, 'handoff.yaml')).toThrow(/handoff\.yaml[\s\S]*office_hours\.close/)
    expect(() => parseHandoffSettings(shipped.replace('webhook_url:', 'webhook_url: not-a-url'), 'handoff.yaml')).toThrow(/notify\.webhook_url/)
    expect(() => parseHandoffSettings('office_hours: [', 'handoff.yaml')).toThrow(/invalid YAML/)
  })
})
