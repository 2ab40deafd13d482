import { describe, expect, it } from 'vitest'
import { withCampaignId } from '../../src/outreach/campaigns.js'
import { myDataView, readRequest, subscriptionStep } from '../../src/outreach/steps.js'

// Subscriptions and 我的資料 as pure steps: input and what was loaded in, replies and effects out.
const at = new Date('2026-12-01T03:00:00Z')
const textOf = (o: { replies: unknown[] }) => (o.replies[0] as { text: string }).text

describe('outreach steps', () => {
  it('reads the words and buttons, and nothing else', () => {
    expect(readRequest({ kind: 'text', text: '訂閱' })).toEqual({ kind: 'choose' })
    expect(readRequest({ kind: 'text', text: '取消訂閱' })).toEqual({ kind: 'cancel-all' })
    expect(readRequest({ kind: 'text', text: '我的資料' })).toEqual({ kind: 'my-data' })
    expect(readRequest({ kind: 'postback', data: 'action=subscribe-topic&t=deadlines' })).toEqual({ kind: 'toggle', topic: 'deadlines' })
    // An unknown topic shows the choices instead of storing it.
    expect(readRequest({ kind: 'postback', data: 'action=subscribe-topic&t=lottery' })).toEqual({ kind: 'choose' })
    expect(readRequest({ kind: 'text', text: '訂閱制的軟體有補助嗎？' })).toBeUndefined()
  })

  it('toggles a topic: consent when not subscribed, withdrawal when subscribed', () => {
    expect(subscriptionStep({ kind: 'toggle', topic: 'windows' }, []).effects).toEqual([{ type: 'subscription-set', topic: 'windows', on: true }])
    expect(subscriptionStep({ kind: 'toggle', topic: 'windows' }, [{ topic: 'windows', consentedAt: at }]).effects).toEqual([{ type: 'subscription-set', topic: 'windows', on: false }])
  })

  it('取消訂閱 with nothing subscribed writes nothing and says so', () => {
    const none = subscriptionStep({ kind: 'cancel-all' }, [])
    expect(none.effects).toBeUndefined()
    expect(textOf(none)).toContain('沒有訂閱')
    expect(subscriptionStep({ kind: 'cancel-all' }, [{ topic: 'cases', consentedAt: at }]).effects).toEqual([{ type: 'subscription-set', topic: null, on: false }])
  })

  it('我的資料 lists what is stored, with the consent dates, and how to delete it', () => {
    const view = textOf(myDataView({ messages: 12, assessment: { level: 3, at }, openCase: { id: 4, status: 'open' } }, ['餐飲業', '臺中市'], [{ topic: 'deadlines', consentedAt: at }]))
    expect(view).toContain('對話紀錄 12 則')
    expect(view).toContain('公司資料：餐飲業、臺中市')
    expect(view).toContain('第 3 級（2026/12/01）')
    expect(view).toContain('真人顧問案件 #4（處理中）')
    expect(view).toContain('截止前提醒（2026/12/01 同意）')
    expect(view).toContain('刪除我的資料')
  })
})

describe('campaign messages', () => {
  it('carry the campaign id on every postback, quick replies and buttons alike, and nothing else changes', () => {
    const messages = [
      { type: 'text' as const, text: 'x', quickReply: { items: [{ type: 'action' as const, action: { type: 'postback' as const, label: '問', data: 'action=ask', displayText: '問' } }, { type: 'action' as const, action: { type: 'message' as const, label: '選單', text: '選單' } }] } },
    ]
    const tagged = withCampaignId(messages, 42) as typeof messages
    expect(tagged[0]!.quickReply.items[0]!.action).toEqual({ type: 'postback', label: '問', data: 'action=ask&campaign=42', displayText: '問' })
    expect(tagged[0]!.quickReply.items[1]!.action).toEqual({ type: 'message', label: '選單', text: '選單' })
    expect(withCampaignId(tagged, 42)).toEqual(tagged)
  })
})
