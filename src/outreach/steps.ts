import { menuItems, messageItem, postbackItem, text } from '../chat/messages.js'
import type { ChatInput, Outcome } from '../chat/types.js'
import { parsePostback } from '../chat/router.js'
import { outreachCopy as c, TOPICS, type TopicId } from './copy.js'
import type { StoredAboutUser, Subscription } from './store.js'

/** Subscriptions and 「我的資料」 as pure steps: what was said and what was loaded → replies and effects. */

const SUBSCRIBE_WORDS = /^(訂閱|訂閱通知|我要訂閱|通知設定)$/
const UNSUBSCRIBE_WORDS = /^(取消訂閱|退訂|停止通知|不要再傳|取消通知)$/
const MY_DATA_WORDS = /^(我的資料|查看我的資料|個人資料)$/

export type OutreachRequest = { kind: 'choose' } | { kind: 'toggle'; topic: TopicId } | { kind: 'all' } | { kind: 'cancel-all' } | { kind: 'my-data' }

/** Which outreach request the input is, if any. */
export function readRequest(input: ChatInput): OutreachRequest | undefined {
  if (input.kind === 'text') {
    const t = input.text.trim()
    if (SUBSCRIBE_WORDS.test(t)) return { kind: 'choose' }
    if (UNSUBSCRIBE_WORDS.test(t)) return { kind: 'cancel-all' }
    if (MY_DATA_WORDS.test(t)) return { kind: 'my-data' }
    return undefined
  }
  if (input.kind !== 'postback') return undefined
  const params = parsePostback(input.data)
  switch (params.get('action')) {
    case 'subscribe':
      return { kind: 'choose' }
    case 'subscribe-topic': {
      const topic = TOPICS.find((t) => t.id === params.get('t'))?.id
      return topic ? { kind: 'toggle', topic } : { kind: 'choose' }
    }
    case 'subscribe-all':
      return { kind: 'all' }
    case 'unsubscribe-all':
      return { kind: 'cancel-all' }
    case 'my-data':
      return { kind: 'my-data' }
    default:
      return undefined
  }
}

function topicItems(subscribed: string[]) {
  return [
    ...TOPICS.map((t) => postbackItem(`${subscribed.includes(t.id) ? '✅' : '⬜'}${t.label}`, `action=subscribe-topic&t=${t.id}`, t.label)),
    postbackItem(c.quick.all, 'action=subscribe-all'),
    postbackItem(c.quick.unsubscribeAll, 'action=unsubscribe-all'),
  ]
}

const label = (id: string) => TOPICS.find((t) => t.id === id)?.label ?? id

/** The outcome of a subscription request, given the consents in force now. */
export function subscriptionStep(request: Exclude<OutreachRequest, { kind: 'my-data' }>, current: Subscription[]): Outcome {
  const subscribed = current.map((s) => s.topic)
  switch (request.kind) {
    case 'choose':
      return { intent: 'subscribe-choose', replies: [text(c.choose(subscribed), topicItems(subscribed))] }
    case 'toggle': {
      const on = !subscribed.includes(request.topic)
      const after = on ? [...subscribed, request.topic] : subscribed.filter((t) => t !== request.topic)
      return {
        intent: on ? 'subscribe' : 'unsubscribe-topic',
        replies: [text(on ? c.subscribed(label(request.topic)) : c.unsubscribedOne(label(request.topic)), topicItems(after))],
        effects: [{ type: 'subscription-set', topic: request.topic, on }],
      }
    }
    case 'all':
      return {
        intent: 'subscribe-all',
        replies: [text(c.subscribedAll, menuItems())],
        effects: TOPICS.map((t) => ({ type: 'subscription-set' as const, topic: t.id, on: true })),
      }
    case 'cancel-all':
      if (subscribed.length === 0) return { intent: 'unsubscribe-none', replies: [text(c.nothingToCancel, menuItems())] }
      return { intent: 'unsubscribe-all', replies: [text(c.unsubscribedAll, menuItems())], effects: [{ type: 'subscription-set', topic: null, on: false }] }
  }
}

const day = (d: Date) => d.toLocaleDateString('zh-TW', { timeZone: 'Asia/Taipei', year: 'numeric', month: '2-digit', day: '2-digit' })

/** 「我的資料」: everything stored about the user, in words, with how to change or delete it. */
export function myDataView(stored: StoredAboutUser, firm: string[], current: Subscription[]): Outcome {
  const d = c.myData
  const lines: string[] = [d.title, d.account, d.messages(stored.messages), firm.length > 0 ? d.firm(firm) : d.noFirm]
  if (stored.assessment) lines.push(d.assessment(stored.assessment.level, day(stored.assessment.at)))
  if (stored.openCase) lines.push(d.openCase(stored.openCase.id, d.caseStatus[stored.openCase.status] ?? stored.openCase.status))
  lines.push(current.length > 0 ? d.subscriptions(current.map((s) => d.consentedOn(label(s.topic), day(s.consentedAt)))) : d.noSubscriptions)
  lines.push('', d.delete)
  return { intent: 'my-data', replies: [text(lines.join('\n'), [postbackItem(c.quick.subscribe, 'action=subscribe'), messageItem(c.quick.deleteData), ...menuItems().slice(0, 3)])] }
}
