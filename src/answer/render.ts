import type { messagingApi } from '@line/bot-sdk'
import type { LineMessage } from '../line/limits.js'
import { messageItem, postbackItem } from '../chat/messages.js'
import { answerCopy } from './copy.js'
import { sourceLine } from './notices.js'
import type { AnswerResult } from './types.js'

type FlexComponent = messagingApi.FlexComponent

const ALT_TEXT_MAX = 400
const q = answerCopy.quick

function small(text: string, color = '#666666'): FlexComponent {
  return { type: 'text', text, size: 'xs', color, wrap: true }
}

/** Quick replies after an answer: suggested next messages, the rest, feedback, a consultant. */
export function answerQuickReplies(answerId: string, hasMore: boolean, followUps: { label: string; text: string }[] = []): messagingApi.QuickReplyItem[] {
  return [
    ...followUps.slice(0, 8).map((f) => messageItem(f.label, f.text)),
    ...(hasMore ? [postbackItem(q.more, `action=more&answer=${answerId}`, q.more)] : []),
    postbackItem(q.helpful, `action=feedback&answer=${answerId}&value=helpful`, q.helpfulShown),
    postbackItem(q.unhelpful, `action=feedback&answer=${answerId}&value=unhelpful`, q.unhelpfulShown),
    postbackItem(q.consultant, 'action=consultant', q.consultant),
  ]
}

export function declineQuickReplies(): messagingApi.QuickReplyItem[] {
  return [postbackItem(q.consultant, 'action=consultant', q.consultant), messageItem(q.menu)]
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
  contents.push({ ...small(answerCopy.sourcesTitle.zh, '#333333'), weight: 'bold', margin: 'md' } as FlexComponent)
  for (const c of answer.citations) contents.push(small(sourceLine(c)))
  const altText = Array.from(answer.text).length > ALT_TEXT_MAX ? `${Array.from(answer.text).slice(0, ALT_TEXT_MAX - 1).join('')}…` : answer.text
  return [
    {
      type: 'flex',
      altText,
      contents: {
        type: 'bubble',
        size: 'giga',
        header: { type: 'box', layout: 'vertical', contents: [small(answerCopy.bubbleHeader, '#888888')] },
        body: { type: 'box', layout: 'vertical', spacing: 'sm', contents },
      },
      quickReply: { items: answerQuickReplies(answerId, answer.more !== undefined, answer.followUps) },
    },
  ]
}
