/** The outreach feature's zh-TW copy, and its topics (what a user can subscribe to). */

export const TOPICS = [
  { id: 'windows', label: '新計畫開放申請', about: '有新的補助或輔導計畫開放申請時通知您' },
  { id: 'deadlines', label: '截止前提醒', about: '您可能符合的計畫快截止收件時提醒您' },
  { id: 'cases', label: '案例與活動', about: '新的數位轉型案例、說明會與活動' },
] as const
export type TopicId = (typeof TOPICS)[number]['id']

export const outreachCopy = {
  quick: { subscribe: '訂閱通知', unsubscribeAll: '取消訂閱', myData: '我的資料', deleteData: '刪除我的資料', all: '全部訂閱', ask: '問計畫問題', consultant: '找真人顧問' },
  reminder: (programme: string, closes: string, daysLeft: number) =>
    `⏰ 截止提醒：「${programme}」將於${closes}截止收件（${daysLeft === 0 ? '今天截止' : `還有 ${daysLeft} 天`}）。依您提供的資料，貴公司可能符合申請資格，實際以計畫公告與審查為準。\n想了解細節點「問計畫問題」，也可以找真人顧問協助；不想再收到，輸入「取消訂閱」。`,
  choose: (subscribed: string[]) =>
    [
      '📬 訂閱通知：點選主題即可訂閱或取消，只會在您選的主題有消息時傳給您，每月不超過幾則。',
      ...TOPICS.map((t) => `${subscribed.includes(t.id) ? '✅' : '⬜'} ${t.label}：${t.about}`),
      '',
      '點選主題代表您同意我們依該主題傳送 LINE 訊息；隨時輸入「取消訂閱」全部停止。',
    ].join('\n'),
  subscribed: (label: string) => `已訂閱「${label}」✅ 您隨時可以輸入「取消訂閱」停止。`,
  unsubscribedOne: (label: string) => `已取消「${label}」的通知。`,
  subscribedAll: '已訂閱全部主題 ✅ 您隨時可以輸入「取消訂閱」停止。',
  unsubscribedAll: '已取消所有通知，之後不會再主動傳訊息給您。想再收到時，輸入「訂閱」即可。',
  nothingToCancel: '您目前沒有訂閱任何通知。想收到計畫開放與截止提醒，輸入「訂閱」即可。',
  privateOnly: '訂閱通知與「我的資料」請在與我的一對一聊天中使用喔。',
  myData: {
    title: '🔒 我們為您保存的資料：',
    account: '・LINE 使用者代碼（用來回覆您；不保存名稱、頭像或電話）',
    messages: (n: number) => `・對話紀錄 ${n} 則（用於回答與轉介顧問）`,
    firm: (parts: string[]) => `・公司資料：${parts.join('、')}`,
    noFirm: '・公司資料：尚未提供',
    assessment: (level: number, date: string) => `・最近一次數位程度評測：第 ${level} 級（${date}）`,
    openCase: (id: number, status: string) => `・真人顧問案件 #${id}（${status}）`,
    caseStatus: { intake: '填寫中', open: '處理中' } as Record<string, string>,
    subscriptions: (items: string[]) => `・訂閱通知：${items.join('、')}`,
    noSubscriptions: '・訂閱通知：沒有',
    consentedOn: (label: string, date: string) => `${label}（${date} 同意）`,
    delete: '想刪除這些資料，輸入「刪除我的資料」；想改訂閱，輸入「訂閱」。',
  },
} as const
