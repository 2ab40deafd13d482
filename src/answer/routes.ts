import { z } from 'zod'
import { copy } from '../chat/copy.js'
import { menuItems, postbackItem, text } from '../chat/messages.js'
import { parsePostback } from '../chat/router.js'
import type { ChatContext, Outcome, Route } from '../chat/types.js'
import { consultantOfferItems, handoffCopy } from '../handoff/copy.js'
import { renderAnswer, declineQuickReplies } from './render.js'
import { answerQuestion, type AnswerDeps } from './service.js'
import { FIRM_STATE_KEY } from '../eligibility/engine.js'

const THANKS = /^(謝謝|感謝|多謝|謝啦|謝了|thx|thanks?|thank you|3q|感恩)[!！。.~～ 😊🙏]*$/i
/**
 * Complaints about the bot. "沒用" is one only on its own ("好沒用", "沒用的東西"), not as "not
 * used" ("點數沒用完", "沒用過ERP"); "幹" not inside a word ("幹部", "能幹").
 */
export const UNHAPPY = /((很|好|真|太|超|根本|有夠)沒用|沒用(?![完過到上了掉光])|爛|聽不懂|答非所問|不對|錯了|亂講|看不懂你|垃圾|什麼鬼|無言|生氣|很煩|笨蛋|白癡|白痴|智障|廢物|(?<![能骨主樹才苦實])幹(?![部嘛麼什活線事練勁])|騙人|\bstupid\b|\buseless\b|\bidiot\b|\bdumb\b)/i
/** Requests for other people's data or conversations: refused before any search. */
const OTHERS_DATA = /((另一位|其他|別的|所有)(使用者|用戶|客戶|人|公司)|別人|他們).{0,8}(問了|問過|的問題|對話|聊天|紀錄|記錄|名單|電話|聯絡|個資|line\s*id)|(使用者|用戶|客戶)(名單|清單|個資|的?\s*line\s*id)|哪些(公司|人|使用者).{0,4}用過|(所有|全部)的?(申請案件|案件|申請人|申請者|使用者|用戶|客戶|公司|企業|廠商)[^，。？?]{0,6}(聯絡|電話|個資|名單|資料)|(匯出|導出|export).{0,10}(資料|名單|聯絡)|conversation history|other users?|user list/i

export function asksForOthersData(text: string): boolean {
  return OTHERS_DATA.test(text)
}

/** The question answering state kept per conversation. */
const answerStateSchema = z.object({
  lastQuestion: z.string(),
  lastAt: z.number(),
  more: z.object({ answerId: z.string(), text: z.string() }).optional(),
})
type AnswerState = z.infer<typeof answerStateSchema>

function firmOf(ctx: ChatContext): Record<string, unknown> | undefined {
  const parsed = z.record(z.string(), z.unknown()).safeParse(ctx.state[FIRM_STATE_KEY])
  return parsed.success ? parsed.data : undefined
}

/** A follow-up refers to a question asked within this long. */
const FOLLOW_UP_WINDOW_MS = 30 * 60_000

function stateOf(ctx: ChatContext): AnswerState | undefined {
  const parsed = answerStateSchema.safeParse(ctx.state.answer)
  return parsed.success ? parsed.data : undefined
}

/** Routes of the question-answering capability; the last one takes any remaining text as a question. */
export function answerRoutes(deps: AnswerDeps): Route[] {
  return [
    (input) => {
      if (input.kind !== 'text') return undefined
      if (THANKS.test(input.text.trim())) return { intent: 'thanks', replies: [text(copy.thanks, menuItems())] }
      if (UNHAPPY.test(input.text)) return { intent: 'unhappy', replies: [text(copy.unhappy, consultantOfferItems('unhappy'))] }
      if (asksForOthersData(input.text)) return { intent: 'privacy-refusal', replies: [text(copy.privacyRefusal, declineQuickReplies())] }
      return undefined
    },
    (input, ctx): Outcome | undefined => {
      if (input.kind !== 'postback') return undefined
      const params = parsePostback(input.data)
      const action = params.get('action')
      if (action === 'ask') return { intent: 'ask', replies: [text(copy.askPrompt)] }
      const answerId = z.uuid().safeParse(params.get('answer'))
      if (action === 'feedback' && answerId.success) {
        const value = params.get('value') === 'unhelpful' ? 'unhelpful' : 'helpful'
        return {
          intent: `feedback-${value}`,
          replies: [value === 'helpful' ? text(copy.feedbackThanks) : text(copy.feedbackUnhelpful, consultantOfferItems('unhappy', answerId.data))],
          effects: [{ type: 'answer-feedback', answerId: answerId.data, value }],
        }
      }
      if (action === 'more') {
        const more = stateOf(ctx)?.more
        if (!more || !answerId.success || more.answerId !== answerId.data) return { intent: 'more-gone', replies: [text(copy.moreGone)] }
        return { intent: 'more', replies: [text(more.text, menuItems())] }
      }
      return undefined
    },
    async (input, ctx): Promise<Outcome | undefined> => {
      if (input.kind !== 'text' || input.text.trim().length === 0) return undefined
      const started = Date.now()
      const previous = stateOf(ctx)
      const recent = previous && ctx.now.getTime() - previous.lastAt < FOLLOW_UP_WINDOW_MS ? previous.lastQuestion : undefined
      const answer = await answerQuestion(deps, { question: input.text, previousQuestion: recent, now: ctx.now, knownFacts: firmOf(ctx) })
      if (answer.status !== 'answered' && deps.classifier) {
        // The rules could not place this message and it is no answerable question: ask the model what it is.
        const intent = await deps.classifier(input.text)
        // The model's guess is not certain enough to start a handoff: offer it (requests in words are taken by the handoff route).
        if (intent === 'consultant') return { intent: 'consultant-offer', replies: [text(handoffCopy.offerAsked, consultantOfferItems('asked'))] }
        if (intent === 'greeting') return { intent: 'greeting', replies: [text(copy.menuIntro, menuItems())] }
        if (intent === 'assessment') return { intent: 'assessment', replies: [text(copy.assessOffer, [postbackItem(copy.quick.assess, 'action=assess'), ...menuItems().slice(2)])] }
      }
      const id = crypto.randomUUID()
      const state: AnswerState = {
        lastQuestion: answer.status === 'answered' ? answer.searchQuery : (recent ?? input.text),
        lastAt: ctx.now.getTime(),
        ...(answer.more ? { more: { answerId: id, text: answer.more } } : {}),
      }
      return {
        intent: `question-${answer.status}`,
        replies: renderAnswer(answer, id),
        effects: [
          { type: 'patch-state', key: 'answer', value: state },
          ...(answer.firmFacts ? [{ type: 'patch-state' as const, key: FIRM_STATE_KEY, value: answer.firmFacts }] : []),
          {
            type: 'record-answer',
            answer: {
              id,
              question: input.text,
              searchQuery: answer.searchQuery,
              answerText: answer.text,
              citations: answer.citations,
              covered: answer.status === 'answered',
              mode: answer.mode,
              latencyMs: Date.now() - started,
            },
          },
        ],
      }
    },
  ]
}
