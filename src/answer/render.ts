import type { messagingApi } from '@line/bot-sdk'
import type { LineMessage } from '../line/limits.js'
import { messageItem, postbackItem } from '../chat/messages.js'
import { sourceLine } from './notices.js'
import type { AnswerResult } from './types.js'

type FlexComponent = messagingApi.FlexComponent

const ALT_TEXT_MAX = 400

function small(text: string, color = '#666666'): FlexComponent {
  return { type: 'text', text, size: 'xs', color, wrap: true }
}

/** Quick replies after an answer: suggested next messages, the rest, feedback, a consultant. */
export function answerQuickReplies(answerId: string, hasMore: boolean, followUps: { label: string; text: string }[] = []): messagingApi.QuickReplyItem[] {
  return [
    ...followUps.slice(0, 8).map((f) => messageItem(f.label, f.text)),
    ...(hasMore ? [postbackItem('看更多', `action=more&answer=${answerId}`, '看更多')] : []),
    postbackItem('👍 有幫助', `action=feedback&answer=${answerId}&value=helpful`, '有幫助'),
    postbackItem('👎 沒幫助', `action=feedback&answer=${answerId}&value=unhelpful`, '沒幫助'),
    postbackItem('找真人顧問', 'action=consultant', '找真人顧問'),
  ]
}

export function declineQuickReplies(): messagingApi.QuickReplyItem[] {
  return [postbackItem('找真人顧問', 'action=consultant', '找真人顧問'), messageItem('選單')]
}

/**
 * An answer as a Flex bubble (answer, warnings, dated sources) whose altText is the text fallback
 * shown in notifications and on clients without Flex.
 */
export function renderAnswer(answer: AnswerResult, answerId: string): LineMessage[] {
  if (answer.status !== 'answered') {
    return [{ type: 'text', text: answer.text, quickReply: { items: declineQuickReplies() } }]
  }
  const contents: FlexComponent[] = [{ type: 'text', text: answer.body, wrap: true, size: 'sm' }]
  if (answer.notices.length > 0) {
    contents.push({ type: 'separator', margin: 'md' })
    for (const n of answer.notices) contents.push({ ...small(`⚠️ ${n}`, '#B45309'), margin: 'sm' } as FlexComponent)
  }
  contents.push({ type: 'separator', margin: 'md' })
  contents.push({ ...small('📄 資料來源', '#333333'), weight: 'bold', margin: 'md' } as FlexComponent)
  for (const c of answer.citations) contents.push(small(sourceLine(c)))
  const altText = Array.from(answer.text).length > ALT_TEXT_MAX ? `${Array.from(answer.text).slice(0, ALT_TEXT_MAX - 1).join('')}…` : answer.text
  return [
    {
      type: 'flex',
      altText,
      contents: {
        type: 'bubble',
        size: 'giga',
        header: { type: 'box', layout: 'vertical', contents: [small('🤖 自動整理的回答，僅供參考', '#888888')] },
        body: { type: 'box', layout: 'vertical', spacing: 'sm', contents },
      },
      quickReply: { items: answerQuickReplies(answerId, answer.more !== undefined, answer.followUps) },
    },
  ]
}
