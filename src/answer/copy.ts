/** The answer feature's user-facing text, zh-TW and (where questions come in English) English. */
export const answerCopy = {
  header: { zh: '🤖 以下由系統自動整理，僅供參考：', en: '🤖 Automated answer from the programme documents, for reference only:' },
  sourcesTitle: { zh: '📄 資料來源', en: '📄 Sources (in Chinese)' },
  bubbleHeader: '🤖 自動整理的回答，僅供參考',
  outOfScope: {
    zh: '抱歉，這個問題超出我能回答的範圍。我只回答中小企業數位轉型與相關政府計畫的問題。需要的話，也可以請真人顧問協助。',
    en: 'Sorry, this is outside what I can answer: I only answer questions about SME digital transformation and the related government programmes. A human consultant (真人顧問) can help if you need.',
  },
  notCovered: {
    zh: '抱歉，我的資料庫裡找不到能回答這個問題的可靠資料，為了不提供錯誤資訊，我先不猜測。建議請真人顧問協助確認，或換個方式再問一次。',
    en: 'Sorry, the documents I have do not answer this reliably, so I will not guess. A human consultant (真人顧問) can check it for you, or try asking another way.',
  },
  /** A question on labour law, tax… (knowledge/answer-policy.json outside_topics): who answers it instead. */
  outsideTopic: {
    zh: (topic: string, refer: string) => `這題屬於「${topic}」，不在我的資料範圍（中小企業數位轉型與相關政府計畫），為了不提供錯誤資訊，我不作答。建議洽詢${refer}；需要的話，也可以請真人顧問協助。`,
    en: (topic: string, refer: string) => `This is a question of ${topic}, outside what my documents cover (SME digital transformation and the related government programmes), so I will not guess. Please ask ${refer}; a human consultant (真人顧問) can also help.`,
  },
  unknownProgramme: {
    zh: '抱歉，資料庫沒有這個計畫的資料，我不會拿其他計畫的內容來回答。建議請真人顧問協助確認最新的計畫資訊。',
    en: "Sorry, my documents hold nothing on that programme, and I will not answer with another programme's facts. A human consultant (真人顧問) can check the latest information for you.",
  },
  notice: {
    closed: (closes: string | null) => `此梯次已截止${closes ? `（收件至 ${closes}）` : ''}，最新公告請洽計畫主管機關或計畫辦公室，或輸入「找顧問」。`,
    planned: '此計畫尚未公告受理，內容以正式公告為準。',
    stale: (date: string) => `資料日期為 ${date}，內容可能已有更新。`,
    sourceDate: (date: string) => `（資料日期 ${date}）`,
  },
  quick: {
    more: '看更多',
    helpful: '👍 有幫助',
    helpfulShown: '有幫助',
    unhelpful: '👎 沒幫助',
    unhelpfulShown: '沒幫助',
    consultant: '找真人顧問',
    menu: '選單',
  },
} as const
