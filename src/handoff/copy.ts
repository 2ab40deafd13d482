import type { messagingApi } from '@line/bot-sdk'
import { messageItem, postbackItem } from '../chat/messages.js'
import type { CaseReason, IntakeField } from './state.js'

/** The handoff's zh-TW copy, in one place so wording can be reviewed without reading code. */
export const handoffCopy = {
  closed: {
    byConsultant: (id: number) => `顧問已結束這次的真人服務（案件編號 #${id}）。`,
    byUser: (id: number) => `已結束真人服務（案件編號 #${id}）。`,
    back: '接下來由小幫手繼續為您服務，有問題直接輸入即可；需要時也可以再點「找真人顧問」。\n\n請問這次顧問的協助您滿意嗎？',
    ratings: [
      { score: 5, label: '😀 很滿意', shown: '很滿意' },
      { score: 4, label: '🙂 滿意', shown: '滿意' },
      { score: 3, label: '😐 普通', shown: '普通' },
      { score: 2, label: '🙁 不滿意', shown: '不滿意' },
    ],
  },
  start: '好的，我來幫您轉介真人顧問 🙋 為了讓顧問先了解狀況，想請教幾個小問題（不方便回答可以點「略過」）：',
  startFromAssessment: '好的，我來幫您轉介真人顧問，顧問會看到您剛剛的數位健檢結果 🙋 先請教幾個小問題（不方便回答可以點「略過」）：',
  ask: {
    company: '請問貴公司的名稱是？',
    contactTime: '方便聯絡您的時間是？（例如：平日下午、週三上午 10 點以後）',
    question: '請用一句話說明想請顧問協助的問題：',
  } satisfies Record<IntakeField, string>,
  knownQuestion: (q: string) => `（您想問的問題我記下了：「${q}」）`,
  tooLong: (max: number) => `內容有點長，請精簡到 ${max} 個字以內，或點「略過」。`,
  empty: '請直接輸入文字回答，或點「略過」。',
  stillIntake: '我們正在準備轉介顧問，請先回答這一題，或點「取消」：',
  stillIntakeAfter: '（轉介真人顧問還在進行中）',
  opened: (id: number) => `✅ 已為您建立真人顧問案件，編號 #${id}。`,
  whatNext: '接下來顧問會直接在這個聊天室回覆您。這段期間小幫手會暫停自動回答，您傳的訊息都會轉給顧問。',
  inOfficeHours: (due: string) => `目前是上班時間，顧問預計在 ${due} 前回覆。`,
  outOfOfficeHours: (office: string, opens: string, due: string) => `現在非上班時間（上班時間：${office}），顧問將於 ${opens} 後回覆，最晚 ${due} 前。`,
  howToEnd: '想回到小幫手，隨時輸入「結束真人服務」。',
  summary: (lines: string[]) => `您提供的資料：\n${lines.join('\n')}`,
  fieldName: { company: '公司', contactTime: '聯絡時間', question: '問題' } satisfies Record<IntakeField, string>,
  skipped: '（略過）',
  alreadyOpen: (id: number) => `您的真人顧問案件 #${id} 還在處理中，顧問會在這裡回覆您，不用重新申請 🙂 想回到小幫手，請輸入「結束真人服務」。`,
  cancelled: '好的，已取消這次的真人顧問轉介。有問題可以直接問我，或從選單選擇：',
  noActive: '目前沒有進行中的真人服務，有問題直接問我就可以了 😊',
  privateOnly: '真人顧問轉介要在一對一聊天中進行，請私訊小幫手並輸入「找顧問」。',
  offerUnanswered: '連續幾個問題我都沒能回答，很抱歉 🙏 要不要請真人顧問協助您？我會把您的問題一起轉給顧問。',
  offerAsked: '需要真人顧問協助嗎？點「找真人顧問」，我問幾個小問題後就幫您轉介。',
  ratingThanks: '謝謝您的評分！您的意見會幫助我們改善服務 🙏 有問題隨時問我。',
  ratingUnknown: '找不到這個案件的紀錄，不過還是謝謝您！',
  quick: {
    consultant: '找真人顧問',
    keepAsking: '繼續問小幫手',
    skip: '略過',
    cancel: '取消',
    end: '結束真人服務',
    menu: '選單',
  },
} as const

/** Quick replies that offer a consultant; the postback starts the handoff with its reason (and the answer it is about). */
export function consultantOfferItems(reason: Exclude<CaseReason, 'assessment'>, answerId?: string): messagingApi.QuickReplyItem[] {
  const data = `action=consultant&reason=${reason}${answerId ? `&answer=${answerId}` : ''}`
  return [postbackItem(handoffCopy.quick.consultant, data, '找真人顧問'), postbackItem(handoffCopy.quick.keepAsking, 'action=ask', '繼續問小幫手'), messageItem(handoffCopy.quick.menu)]
}
