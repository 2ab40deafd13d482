import { describe, expect, it } from 'vitest'
import { coverageOf, measuredThing, missingAnswerType, missingPlace, missingYear, namedYears, onlyPlannedFigures, relativeYears, questionFocus, subjectTerms, subsidisedThings } from '../../src/answer/coverage.js'
import { bestPassages, composeExtractive } from '../../src/answer/extractive.js'
import type { SearchHit, TermStatistics } from '../../src/knowledge/search.js'

describe('what a question asks for', () => {
  it('reads the things a subsidy question asks a subsidy for, and none when no subsidy is asked', () => {
    const things = subsidisedThings('我們想在店裡裝監視器，有沒有補助？').map((forms) => forms[0])
    expect(things).toContain('監視器')
    // Glue the segmenter leaves ("想在") is no thing.
    expect(things).not.toContain('想在')
    // A Latin name in a Chinese question is one.
    expect(subsidisedThings('導入HACCP認證，政府補助多少？').map((forms) => forms[0])).toContain('haccp')
    expect(subsidisedThings('監視器的效果怎麼樣？')).toEqual([])
    // In English, what the subsidy is for; the rest of the question may paraphrase the documents.
    expect(subsidisedThings('Is there a subsidy for hiring engineers?').map((forms) => forms[0])).toContain('engineers')
    expect(subsidisedThings('If we win the design award, is there any bonus subsidy?')).toEqual([])
  })

  it('reads named years in both calendars', () => {
    expect(namedYears('112年度要推動幾家？2018年呢？')).toEqual([
      ['112', '2023'],
      ['2018', '107'],
    ])
    // A figure that is not a year (the asker's 30 people) is not one.
    expect(namedYears('我們30人，預算3000萬')).toEqual([])
  })

  it('does not take a year in a report\'s name for the year asked (answered-unanswerable class)', () => {
    expect(missingYear('2020年全台有多少家商店？', ['依某顧問公司「2020台灣零售十大趨勢」報告，商店數位化比例僅一成'])).toBe('2020')
    expect(missingYear('2020年全台有多少家商店？', ['2020年全台商店共35萬家'])).toBeUndefined()
    expect(missingYear('How many shops were there in 2020?', ['In 2020 there were 350,000 shops'])).toBeUndefined()
  })

  it('reads a two-digit ROC year (98年, 99年) as a year, but not a span of years (wrong-section class)', () => {
    expect(namedYears('輔導計畫98年辦了幾場說明會？')).toEqual([['98', '2009']])
    expect(namedYears('做了10年，累計幾家？')).toEqual([])
    // The row of that year answers; a table of other years does not.
    expect(missingYear('說明會98年辦了幾場？', ['| 年度 | 場次 |\n| 98 | 12 |'])).toBeUndefined()
    expect(missingYear('說明會98年辦了幾場？', ['| 年度 | 場次 |\n| 106 | 12 |'])).toBe('98')
  })

  it('takes a three-digit figure for a year only where it is written as one (answered-unanswerable class)', () => {
    // "執行數 109" counts cases: a question on 109 is not answered by a table of other years.
    expect(missingYear('技術輔導109年度總共通過幾件？', ['年度 98：申請數 1,763；執行數 109；通過率 34%'])).toBe('109')
    // A year is written with 年, as a table row's first cell, as a date, in a list of years or a period.
    for (const text of ['109年度受理2,682件', '| 109 | 1,200 | 300 |', '年度 109：申請數 5', '受理至109/05/01', '108、109年各補助20家', '109-112社發計畫']) {
      expect(missingYear('技術輔導109年度總共通過幾件？', [text])).toBeUndefined()
    }
  })

  it('reads the years of an English question, but not an amount (English class)', () => {
    expect(namedYears('How many firms did the cloud points scheme help in 2031?')).toEqual([['2031', '120']])
    // A month before the year names it too (answered-unanswerable class: another year's round must not answer).
    expect(namedYears('How many firms were helped after the April 2031 storm?')).toEqual([['2031', '120']])
    expect(namedYears('What was the budget for ROC year 108?')).toEqual([['108', '2019']])
    expect(namedYears('When does the 2029 round close?')).toEqual([['2029', '118']])
    expect(namedYears('We have 2000 staff and 1990 customers; can we apply?')).toEqual([])
  })

  it('wants a count for "幾家", but "哪幾組" asks which and "好幾家" says many (answered-unanswerable class)', () => {
    expect(missingAnswerType('這個計畫去年核定了幾家？', ['計畫的受理期間是5月1日至6月30日'])).toBe('count')
    expect(missingAnswerType('這個計畫去年核定了幾家？', ['共核定128家'])).toBeUndefined()
    // Scoring weights need points or shares; a pass mark (幾分以上) is another question (answered-unanswerable class).
    expect(missingAnswerType('這個計畫審查看哪些項目？各占幾分？', ['審查重點為技術可行性與市場潛力'])).toBe('points')
    expect(missingAnswerType('這個計畫審查看哪些項目？各占幾分？', ['技術可行性占40分、市場潛力占60分'])).toBeUndefined()
    expect(missingAnswerType('易用性測試要幾分以上？', ['目標70分以上'])).toBeUndefined()
    // Which vendors sell something asks their names; which vendors may apply asks criteria.
    expect(missingAnswerType('平台上有哪些ERP廠商？', ['平台提供ERP、CRM等雲端方案'])).toBe('company-name')
    expect(missingAnswerType('Which POS brands are listed on the platform?', ['The platform lists POS and CRM solutions'])).toBe('company-name')
    expect(missingAnswerType('哪些廠商可以申請？', ['依法登記的中小企業'])).not.toBe('company-name')
    // "多久…一次" asks how often: 按季 answers it (wrong-section class).
    expect(missingAnswerType('廣告費多久要報告一次？', ['廣告費按季送立法院備查'])).toBeUndefined()
    expect(missingAnswerType('廣告費多久要報告一次？', ['廣告費須送立法院備查'])).toBe('duration')
    // A hotline is a phone number (answered-unanswerable class).
    expect(missingAnswerType('What is the customer service hotline for the cloud points programme?', ['The programme helps firms buy cloud solutions'])).toBe('phone')
    // What a review weighs (審查重點) answers which conditions a review looks at (declined-but-answerable class).
    expect(missingAnswerType('這個試驗審查時會看公司哪些條件？', ['把加薪制度、海外輸出潛力列為審查重點'])).toBeUndefined()
    expect(missingAnswerType('這個試驗審查時會看公司哪些條件？', ['試驗每年推動1個主題'])).toBe('criteria')
    // a table row gives the count after its label
    expect(missingAnswerType('POS方案有幾家採用？', ['類別 POS：方案數 3；採用家數 85'])).toBeUndefined()
    expect(missingAnswerType('輔導團分成哪幾組？', ['分成製造組與服務組'])).toBeUndefined()
    expect(missingAnswerType('可以一次幫好幾家廠商申請嗎？', ['由輔導單位代為送件'])).toBeUndefined()
  })

  it('reads "拿到多少家" as a count, not an amount, and "不得超過" as a cap', () => {
    expect(missingAnswerType('這個計畫上半年拿到多少家業者的意願書？', ['取得1,234家業者的輔導意願'])).toBeUndefined()
    expect(missingAnswerType('這個計畫一家最多拿多少？', ['取得1,234家業者的輔導意願'])).toBe('amount')
    // "哪年哪月" / "哪個月" asks a month: a year alone, or a description, does not answer it.
    expect(missingAnswerType('這個計畫是到哪年哪月結束？', ['計畫期程為112至115年度'])).toBe('date')
    expect(missingAnswerType('這個計畫是到哪年哪月結束？', ['計畫於115年6月30日結束'])).toBeUndefined()
    expect(missingAnswerType('補助款是哪個月撥下來？', ['驗收後一次撥付'])).toBe('date')
    expect(missingAnswerType('3個月內要完成嗎？', ['驗收後一次撥付'])).not.toBe('date')
    // In English too, a maximum per firm is answered by a figure marked as the limit.
    expect(missingAnswerType('What is the maximum loan amount a single shop can get?', ['三配套包括優惠貸款與租稅優惠'])).toBe('cap')
    expect(missingAnswerType('What is the maximum loan amount a single shop can get?', ['每家貸款最高500萬元'])).toBeUndefined()
    // A limit named after the thing limited ("funding cap") asks a limit as well (answered-unanswerable class).
    expect(missingAnswerType('Is there a funding cap for each bakery under the new programme?', ['The programme helps bakeries sell online; the source gives no amounts.'])).toBe('cap')
    expect(missingAnswerType('Is there a funding cap for each bakery under the new programme?', ['每家補助最高30萬元'])).toBeUndefined()
    // "Who pays, and how much" asks money: a description of the scheme does not answer it.
    expect(missingAnswerType('顧問來輔導的費用是誰出？出多少？', ['由產業出題、新創提出解決方案並到場實證'])).toBe('amount')
    expect(missingAnswerType('顧問來輔導的費用是誰出？出多少？', ['政府負擔70%，上限30萬元'])).toBeUndefined()
    expect(missingAnswerType('導入要花多少時間？', ['由產業出題、新創提出解決方案'])).not.toBe('amount')
    expect(missingAnswerType('補助最多可以占總經費幾成？', ['政府補助不得超過總經費的40%'])).toBeUndefined()
  })

  it('wants the county a count is asked for, in either writing of 台/臺, but not the asker\'s own whereabouts', () => {
    expect(missingPlace('去年在台東輔導了幾家？', ['全國共輔導3,200家'])).toBe('台東')
    expect(missingPlace('去年在台東輔導了幾家？', ['臺東縣輔導45家'])).toBeUndefined()
    expect(missingPlace('我們公司在台東，這個計畫去年全國輔導了幾家？', ['全國共輔導3,200家'])).toBeUndefined()
    // Not a count: the county does not narrow the answer.
    expect(missingPlace('台東的店可以申請嗎？', ['全國中小企業都可以申請'])).toBeUndefined()
  })

  it('does not answer what actually happened with a target (answered-unanswerable class)', () => {
    expect(onlyPlannedFigures('那個補助券後來實際發了幾張？', '補助券第一年預計發出5,000張，每張最高3萬元。〔1〕')).toBe(true)
    expect(onlyPlannedFigures('那個補助券後來實際發了幾張？', '補助券第一年實際發出4,812張。〔1〕')).toBe(false)
    // A question about the plan is answered by the plan.
    expect(onlyPlannedFigures('那個補助券第一年預計發幾張？', '補助券第一年預計發出5,000張。〔1〕')).toBe(false)
    // What a line opens with, before its first figure (not a date, not "5G"), says which it is.
    expect(onlyPlannedFigures('育成園區現在進駐了幾家？', '育成園區（5G創新基地）112年度預期招募8家新創進駐。')).toBe(true)
    expect(onlyPlannedFigures('這個計畫去年實際輔導了幾家？', '計畫從113年1月2日啟動到113年12月31日，共輔導3,210家；全程目標是輔導9,000家。')).toBe(false)
    expect(onlyPlannedFigures('目標原本設多少？最後達成幾家？', '年度目標1,000家、完成1,200家。')).toBe(false)
    // A period's first year ("110至114年") is a date, not the line's first figure.
    expect(onlyPlannedFigures('這個計畫到現在實際輔導了幾家？', '計畫全程（110至114年）預期輔導9,000家。')).toBe(true)
    // A section headed as a plan (預期效益, 預期成果) holds plans, whatever a line of it says ("完成…").
    expect(onlyPlannedFigures('這個計畫到現在實際完成幾家？', '・完成1,200家數位升級。', '計畫全程預期效益')).toBe(true)
    expect(onlyPlannedFigures('這個計畫到現在實際完成幾家？', '・完成1,200家數位升級。', '計畫110年度成果')).toBe(false)
    // a date, or whether it happened at all, is not answered by the date planned
    expect(onlyPlannedFigures('那個創新基地最後是哪一天開幕的？', '經濟部規劃在台中設創新基地，預定112年3月開幕。')).toBe(true)
    expect(onlyPlannedFigures('那個創新基地後來真的有在112年開幕嗎？', '經濟部規劃在台中設創新基地，預定112年3月開幕。')).toBe(true)
    expect(onlyPlannedFigures('那個創新基地最後是哪一天開幕的？', '台中創新基地已於112年3月8日開幕，進駐12家。')).toBe(false)
    // A target set and then reported done in the same line is an outcome; two targets are not.
    expect(onlyPlannedFigures('智慧商圈計畫去年實際輔導了幾家？', '智慧商圈計畫去年：輔導目標300家、完成356家（118%）')).toBe(false)
    expect(onlyPlannedFigures('智慧商圈計畫去年實際輔導了幾家？', '智慧商圈計畫：輔導目標300家、明年目標400家')).toBe(true)
  })

  it('wants the rent, wage or price asked for, not another amount of the same place (answered-unanswerable class)', () => {
    expect(missingAnswerType('育成園區一個月租金多少？', ['育成園區113年度編列預算3,500萬元'])).toBe('price')
    expect(missingAnswerType('育成園區一個月租金多少？', ['進駐空間每坪月租金800元'])).toBeUndefined()
  })

  it('wants a count marked as a limit when asked the fewest or most allowed (answered-unanswerable class)', () => {
    // A count that describes (one leads) is no minimum.
    expect(missingAnswerType('智慧商圈計畫最少要幾家店一起申請？', ['聯合申請由1家商圈組織擔任主導。'])).toBe('count-limit')
    expect(missingAnswerType('智慧商圈計畫最少要幾家店一起申請？', ['須有10家以上店家共同參與。'])).toBeUndefined()
    expect(missingAnswerType('一家店一年最多可以申請幾案？', ['每家店每年以申請2案為限。'])).toBeUndefined()
    // A count asked without a limit keeps the plain count type.
    expect(missingAnswerType('去年有幾家店參加？', ['去年共有35家店參加。'])).toBeUndefined()
  })

  it('wants firms named when asked for a winners list or which provider (answered-unanswerable class)', () => {
    expect(missingAnswerType('智慧商店獎的得獎名單有哪些？', ['共有48家參選，選出12家得獎企業。'])).toBe('company-name')
    expect(missingAnswerType('這次行動支付推廣是跟哪家支付業者合作？', ['與3家電子支付業者合作推廣。'])).toBe('company-name')
    expect(missingAnswerType('這次行動支付推廣是跟哪家支付業者合作？', ['與台灣行動支付股份有限公司合作推廣。'])).toBeUndefined()
    expect(missingAnswerType('調查是委託哪家公司做的？', ['委託英商訊息市調公司以電話訪問。'])).toBeUndefined()
    // A list that is only passed on (通過名單送審) asks for no names.
    expect(missingAnswerType('通過名單還要經過什麼會議？', ['審查結果送聯席會議確認。'])).toBeUndefined()
  })

  it('wants the way in when asked how to sign up or apply, not what the thing is (answered-unanswerable class)', () => {
    // What a training is and how many it trains says nothing of how to join it.
    expect(missingAnswerType('智慧零售講師培訓班要怎麼報名？', ['計畫將培訓智慧零售講師120人，協助商圈店家導入數位工具。'])).toBe('how-to-apply')
    expect(missingAnswerType('How do we apply for the retail trainer course?', ['The plan trains 120 retail trainers.'])).toBe('how-to-apply')
    // A platform to file on, a window to call or the body to go through answers it.
    expect(missingAnswerType('智慧零售講師培訓班要怎麼報名？', ['學員於培訓平台線上報名，額滿為止。'])).toBeUndefined()
    expect(missingAnswerType('創新實驗補助去哪裡申請？', ['請洽計畫辦公室窗口。'])).toBeUndefined()
    expect(missingAnswerType('創新實驗補助去哪裡申請？', ['申請須透過輔導單位提出。'])).toBeUndefined()
    expect(missingAnswerType('顧問團可以到店輔導嗎？要怎麼預約？', ['顧問團由50位業師組成，協助在地企業。'])).toBe('how-to-apply')
    expect(missingAnswerType('顧問團可以到店輔導嗎？要怎麼預約？', ['請撥打專線預約到店輔導。'])).toBeUndefined()
    // Asking whether someone will come and explain the way in is no question how to apply.
    expect(missingAnswerType('可以請辦公室來幫會員講申請方式嗎？', ['辦公室會派人到場說明輔導資源。'])).toBeUndefined()
  })

  it('reads 今年/去年 from the clock when a figure or date of that year is asked, not in a rule question or the asker\'s story', () => {
    const now = new Date('2027-03-01T02:00:00Z')
    expect(relativeYears('那個獎今年報名截止是哪一天？', now)).toEqual([['2027', '116']])
    expect(relativeYears('這個計畫去年核定了幾家？', now)).toEqual([['2026', '115']])
    expect(relativeYears('去年拿過輔導，今年還能再申請嗎？', now)).toEqual([])
    expect(relativeYears('我們今年營收3億，可以申請哪些計畫？', now)).toEqual([])
    // The year word belongs to the clause that asks a figure (declined-but-answerable class).
    expect(relativeYears('去年拿過輔導，今年還能再申請嗎？三年內最多幾案？', now)).toEqual([])
    // A question that names a year speaks in the documents' years: 今年 is that year.
    expect(relativeYears('110年預計輔導幾家？這個計畫今年編了多少錢？', now)).toEqual([])
    expect(missingYear('這個計畫去年核定了幾家？', ['114年核定120家'], now)).toBe('2026')
    // New Year's Eve in Taiwan is already the new year.
    expect(relativeYears('今年編了多少預算？', new Date('2026-12-31T17:00:00Z'))).toEqual([['2027', '116']])
  })

  it('wants a fee or an allowance stated as such (出席費), and the firms for 核定了哪些公司', () => {
    expect(missingAnswerType('審查委員一場的出席費是多少？', ['審查委員會由5至7位委員組成，預算120萬元'])).toBe('price')
    expect(missingAnswerType('審查委員一場的出席費是多少？', ['每場出席費2,500元'])).toBeUndefined()
    expect(missingAnswerType('去年核定了哪些公司？', ['去年核定32案'])).toBe('company-name')
    // A list of firms needs their names; a question on who may apply does not.
    expect(missingAnswerType('那個獎的10家得獎企業是哪幾家？', ['共選出10家得獎企業'])).toBe('company-name')
    expect(missingAnswerType('那個獎的10家得獎企業是哪幾家？', ['得獎企業：大明精密股份有限公司、小林食品有限公司…'])).toBeUndefined()
    expect(missingAnswerType('哪些廠商可以申請？', ['員工未滿200人的製造業'])).toBeUndefined()
  })

  it('wants what it costs when asked for a listing fee or a commission (上架費, 抽成)', () => {
    expect(missingAnswerType('供應商上架平台要不要付上架費或抽成？', ['供應商須通過資格審查與方案評測後上架'])).toBe('fee')
    expect(missingAnswerType('供應商上架平台要不要付上架費或抽成？', ['上架免費，平台不向供應商抽成'])).toBeUndefined()
  })

  it('wants a percentage for a rate asked for (滿意度是多少), not for which item rated best', () => {
    expect(missingAnswerType('震災輔導的業者滿意度是多少？', ['震災專案93案全部核定'])).toBe('share')
    expect(missingAnswerType('震災輔導的業者滿意度是多少？', ['業者滿意度達96%'])).toBeUndefined()
    expect(missingAnswerType('說明會滿意度調查哪一項分數最高？', ['「講師專業」一項最高'])).toBeUndefined()
  })

  it('does not take the date a source was published for the year a question names', () => {
    expect(missingYear('這個計畫116年的目標是多少？', ['依經濟部116年3月1日的資料，計畫115年輔導2,000家'])).toBe('116')
    expect(missingYear('這個計畫115年輔導了幾家？', ['依經濟部116年3月1日的資料，計畫115年輔導2,000家'])).toBeUndefined()
    // however the date is written beside the source's name
    expect(missingYear('這個計畫116年的目標是多少？', ['經濟部116年3月1日的《119-122年度計畫》整理了115年的成果'])).toBe('116')
    // a date is what a date question asks
    expect(missingYear('這個計畫116年什麼時候收件？', ['116年3月1日起收件'])).toBeUndefined()
    // A year is a figure of its own: 109 inside a count (1,096案 → 1096) or an amount names no year.
    expect(missingYear('這個計畫109年什麼時候收件？', ['98~107年大專院校申請2,508案、執行1,096案'])).toBe('109')
    expect(missingYear('這個計畫109年核定幾案？', ['共核定2,109案'])).toBe('109')
    expect(missingYear('這個計畫109年核定幾案？', ['109/03/02公告，共核定88案'])).toBeUndefined()
    // A period asked without 年 is no one of its years either.
    expect(missingYear('What did the programme achieve over ROC 98-107 in total?', ['98~107年合計效益208.52億元'])).toBeUndefined()
    expect(missingYear('這個計畫全程（到116年6月）要輔導幾家？', ['計畫112至116年6月合計輔導3,000家'])).toBeUndefined()
  })

  it('finds an ordinal asked with digits in a passage that writes it with digits (everyday-language class)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['第三', 3], ['第五', 3]]), unseenIdf: 4 }
    expect(coverageOf('第3級跟第5級各是什麼？', ['第3級是專業系統；第5級是人工智慧'], stats).missing).toEqual([])
  })

  it('finds "以內" where a document writes "3年內" (declined-but-answerable class)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['以內', 5], ['接手', 3]]), unseenIdf: 6 }
    expect(coverageOf('接手經營要在幾年以內才算？', ['接手經營3年內的二代負責人'], stats).missing).not.toContain('以內')
  })

  it('hears whether something costs anything in English too, but not a cost category (English class)', () => {
    expect(missingAnswerType('Does the energy check-up cost the business anything?', ['由輔導團到場做節能診斷'])).toBe('fee')
    expect(missingAnswerType('Does the energy check-up cost the business anything?', ['節能診斷免費提供'])).toBeUndefined()
    expect(missingAnswerType('Is there a fee for the energy check-up?', ['The check-up is free for members.'])).toBeUndefined()
    expect(missingAnswerType('What is the cap on consultant fees in the plan?', ['顧問費不得超過總經費30%'])).not.toBe('fee')
  })

  it('finds everyday short forms where the documents write the full word (執行期 / 執行期間, 動支 / 支用)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['執行期', 4], ['動支', 4], ['執行期間', 3], ['支用', 3]]), unseenIdf: 6 }
    expect(coverageOf('每個案子的執行期多長？', ['每案執行期間為5個月'], stats).missing).not.toContain('執行期')
    expect(coverageOf('自籌款動支不足會怎樣？', ['自籌款支用不足時等比例扣減'], stats).missing).not.toContain('動支')
  })

  it('reads English "how much" as money only when it asks about money (English class)', () => {
    expect(missingAnswerType('How much does the programme pay per firm?', ['每家最多補助30萬元'])).toBeUndefined()
    expect(missingAnswerType('How much does the programme pay per firm?', ['由輔導團到場服務'])).toBe('amount')
    expect(missingAnswerType('How much greenhouse gas did the project cut?', ['減碳1,200公噸CO2e'])).toBeUndefined()
  })

  it('does not count spoken fillers as subject (declined-but-answerable class)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['點數', 3]]), unseenIdf: 6 }
    const asked = subjectTerms('那個點數當初說最長可以用多久？到年底為止還能繼續拿到嗎？', stats).map((t) => t.forms[0])
    for (const filler of ['當初', '最長', '為止', '繼續', '拿到']) expect(asked).not.toContain(filler)
    expect(asked).toContain('點數')
    // "算不算" asks whether something counts; "當年" points back at the asker's own story.
    const counts = subjectTerms('我們店裡連老闆五個人，這樣算不算微型企業？當年有補助嗎？', stats).map((t) => t.forms[0])
    for (const filler of ['算不算', '不算', '當年']) expect(counts).not.toContain(filler)
    // Who uses a term (政府講的, 你們說的) is not what is asked: the term is.
    const term = subjectTerms('我們店連我4個人，算是政府講的微型企業嗎？你們說的數位卷要去哪裡領？', stats).map((t) => t.forms[0])
    for (const speaker of ['政府', '你們']) expect(term).not.toContain(speaker)
    expect(term).toContain('微型')
    // A government named as the actor stays in the question.
    expect(subjectTerms('政府補助多少？', stats).map((t) => t.forms[0])).toContain('政府')
  })

  it('does not count asides on how to answer or what the asker will do next as subject (declined-but-answerable class)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['顧問', 4], ['電話', 3]]), unseenIdf: 6 }
    const asked = subjectTerms('顧問有哪幾個任務？白話講就好，我想直接打去問，謝謝', stats).map((t) => t.forms[0])
    for (const aside of ['白話', '就好', '我想', '打去', '謝謝']) expect(asked).not.toContain(aside)
    expect(asked).toContain('顧問')
    // A question about phoning is still about a phone.
    expect(subjectTerms('顧問的電話幾號？', stats).map((t) => t.forms[0])).toContain('電話')
    // The era of a year (民國) and an emphasis (特別) are no subject; an everyday word meets the documents' (表現好 → 績優).
    expect(coverageOf('民國110年表現特別好的育成單位有獎勵嗎？', ['110年度獎勵績優育成單位5家'], stats).missing).toEqual([])
    // Pointing words (那份, 哪段) and the asker's aside (順便, 還想) are no subject; everyday verbs meet the documents' words.
    expect(coverageOf('那份顧問報告是根據哪段期間的資料？', ['顧問報告以2020年1月至6月的資料分析'], stats).missing).toEqual([])
    expect(coverageOf('找年輕人當顧問，還想順便做什麼？', ['顧問團招募青年，也培育人才'], stats).missing).toEqual([])
    expect(coverageOf('顧問申請有幾件被刷掉？', ['顧問申請案有12件資格不符'], stats).missing).toEqual([])
    expect(measuredThing('承諾通過認證，顧問費可以多加多少？')).toBe('多加')
    expect(coverageOf('承諾通過認證，顧問費可以多加多少？', ['承諾通過認證者，顧問費加碼10%'], stats).missing).toEqual([])
    // Spoken words for a decision, a mechanism and a climate meet the documents' (拍板 → 核定, 運作 → 作法, 經貿情勢 → 經濟趨勢).
    expect(coverageOf('顧問名單是哪次會議拍板的？', ['顧問名單於審查會議核定'], stats).missing).toEqual([])
    expect(coverageOf('顧問團是在什麼經貿情勢下怎麼運作的？', ['面對全球經濟趨勢，顧問團的作法是駐點輔導'], stats).missing).toEqual([])
    // The person handling a programme (承辦) is its contact (聯絡人) as the documents write it.
    expect(coverageOf('顧問團有問題想直接問承辦，要找誰？', ['顧問團的連絡人是專員王小明'], stats).missing).not.toContain('承辦')
    // "網站上有", "哪一種", "哪次" carry the question's form: 上有, 一種 and 次 are no subject.
    expect(coverageOf('顧問網站上有哪一種表單可以下載？', ['顧問網站提供申請表單下載'], stats).missing).toEqual([])
  })

  it('reads each, after, only and what else as the question form, and a university or ready-made software in the documents\' words (declined-but-answerable class)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['大專院校', 4], ['套裝', 4], ['輔導單位', 3]]), unseenIdf: 6 }
    const asked = subjectTerms('先做規劃跟後面做建置，各自最多補多少？只是買軟體可以嗎？還有哪些專門的課？', stats).map((t) => t.forms[0])
    for (const filler of ['各自', '後面', '只是', '還有', '專門']) expect(asked).not.toContain(filler)
    expect(coverageOf('輔導單位可以找大學嗎？', ['輔導單位可以是財團法人、大專院校或技術服務業者'], stats).missing).toEqual([])
    expect(coverageOf('可以找大學老師嗎？', ['由學校教授擔任計畫主持人'], stats).missing).not.toContain('老師')
    expect(coverageOf('可以買現成的軟體嗎？', ['導入套裝軟體須客製化60%以上'], stats).missing).not.toContain('現成')
  })

  it('reads 最晚/很多 as form, 總預算/額外/算出 in the documents\' words, and 另外付錢 as a question of cost (declined-but-answerable and answered-unanswerable classes)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['總經費', 4], ['加碼', 4], ['計算', 3]]), unseenIdf: 6 }
    const asked = subjectTerms('很多店家想問，申請最晚到什麼時候？', stats).map((t) => t.forms[0])
    for (const filler of ['最晚', '很多']) expect(asked).not.toContain(filler)
    // Regions asked by 分區 are the documents' 地區 (declined-but-answerable class).
    expect(coverageOf('補助案如果按分區統計，哪一區最多？', ['各地區補助案數：北部120案最多'], stats).missing).not.toContain('分區')
    const stuck = subjectTerms('大家明知道該導入雲端系統卻一直做不起來，是卡在哪裡？', stats).map((t) => t.forms[0])
    for (const filler of ['卻', '起來', '明']) expect(stuck).not.toContain(filler)
    const english = subjectTerms('After the flood in July, how much went to the repair grants during that year?', stats).map((t) => t.forms[0])
    for (const filler of ['after', 'went', 'during']) expect(english).not.toContain(filler)
    expect(coverageOf('商圈計畫總預算多少？', ['商圈計畫總經費1.2億元'], stats).missing).not.toContain('總預算')
    expect(coverageOf('得獎有額外補助嗎？', ['得獎者加碼補助5%'], stats).missing).not.toContain('額外')
    expect(coverageOf('碳排是怎麼算出的？', ['以用電度數計算碳排'], stats).missing).not.toContain('算出')
    expect(missingAnswerType('顧問到店輔導要另外付錢嗎？', ['顧問到店提供診斷與建議'])).toBe('fee')
    expect(missingAnswerType('顧問到店輔導要另外付錢嗎？', ['到店輔導免費'])).toBeUndefined()
  })

  it('reads 其中/之間 as form and 佔 as 占 (declined-but-answerable class)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['查核', 4], ['總經費', 4]]), unseenIdf: 6 }
    const asked = subjectTerms('展售會預計辦幾場？其中海外的有幾場？兩國之間有合作嗎？', stats).map((t) => t.forms[0])
    for (const filler of ['其中', '之間']) expect(asked).not.toContain(filler)
    expect(coverageOf('材料費佔總經費幾%？', ['材料費1,200萬元，占總經費40%'], stats).missing).not.toContain('佔')
  })

  it('hears a question for a share, not whether a share matters nor 成數 inside 成為數位… (declined-but-answerable class)', () => {
    expect(missingAnswerType('農機補助的自籌比例是多少？', ['由農會協助申請'])).toBe('share')
    expect(missingAnswerType('自籌比例高一點，審查會加分嗎？', ['審查重點為技術可行性'])).toBeUndefined()
    expect(missingAnswerType('想成為數位工具的供應商，要通過什麼審查？', ['供應商需通過資格審查'])).toBeUndefined()
  })

  it('hears a question for a phone number, not 電話 as a way of working', () => {
    expect(missingAnswerType('這個計畫的聯絡電話是多少？', ['由計畫辦公室受理'])).toBe('phone')
    expect(missingAnswerType('有問題要打電話給誰？', ['由計畫辦公室受理'])).toBe('phone')
    expect(missingAnswerType('我們都用電話跟傳真接訂單，這樣算有電子商務嗎？', ['電子商務是在網路平台完成買賣'])).toBeUndefined()
    expect(missingAnswerType('這個計畫主打哪幾個重點？', ['主打設計感與體驗'])).toBeUndefined()
  })

  it('does not take a period for one of its years, in the passage or in the question', () => {
    expect(missingYear('這個計畫119年的目標是多少？', ['119-122年度總目標為輔導4萬家'])).toBe('119')
    expect(missingYear('這個計畫119-122年總共要輔導幾家？', ['119-122年度總目標為輔導4萬家'])).toBeUndefined()
    expect(missingYear('這個計畫從119年做到122年，總共輔導幾家？', ['119~122年累計輔導4萬家'])).toBeUndefined()
  })

  it('finds a named year in either calendar, and reports the one no passage has', () => {
    expect(missingYear('2018年有幾家中小企業？', ['107年中小企業有146萬家'])).toBeUndefined()
    expect(missingYear('114年度幾月收件？', ['113年度的受理期間是5月2日至6月17日'])).toBe('114')
  })

  it('wants a figure with its unit for an amount, a date for a deadline, a rate for an interest rate', () => {
    expect(missingAnswerType('一家最多可以補助多少錢？', ['計畫分成四項子計畫'])).toBe('amount')
    expect(missingAnswerType('一家最多可以補助多少錢？', ['每家上限20萬元'])).toBeUndefined()
    expect(missingAnswerType('最多補多少？', ['最多補助一半'])).toBeUndefined()
    // An amount in Chinese numerals or another currency answers too (declined-but-answerable class).
    expect(missingAnswerType('那種補助券一張多少錢？一家最多能拿多少？', ['每張三千美元，一家最多六張、共一萬八千美元'])).toBeUndefined()
    expect(missingAnswerType('那種補助券一張多少錢？一家最多能拿多少？', ['補助券可以買顧問服務，一家最多六張'])).toBeDefined()
    expect(missingAnswerType('申請截止日是哪天？', ['SBIR編列4.98億元'])).toBe('date')
    expect(missingAnswerType('申請截止日是哪天？', ['收件至6月17日'])).toBeUndefined()
    // A year alone does not say which day.
    expect(missingAnswerType('申請截止日是哪天？', ['109年度受理2,682件'])).toBe('date')
    expect(missingAnswerType('優惠貸款利率大概多少？', ['核准金額1,785億元，平均加薪9.5%'])).toBe('rate')
    // "When" about a process step is not a date question.
    expect(missingAnswerType('什麼時候才拿得到補助？', ['導入並驗收後才取得補助'])).toBeUndefined()
  })

  it('wants a limit for how much more a firm may get at most (answered-unanswerable class)', () => {
    expect(missingAnswerType('加薪的額外保證額度，每家最多可以多多少？', ['加薪企業承保3,012家，平均加薪9.5%'])).toBe('cap')
    expect(missingAnswerType('加薪的額外保證額度，每家最多可以多多少？', ['每家額外保證額度最高1,000萬元'])).toBeUndefined()
  })

  it('wants money for a budget asked either way round (answered-unanswerable class)', () => {
    expect(missingAnswerType('這個計畫的總經費是多少？', ['目標培育人才3,000人'])).toBe('amount')
    expect(missingAnswerType('What is the total budget of the plan?', ['目標培育人才3,000人'])).toBe('amount')
    expect(missingAnswerType('這個計畫的總經費是多少？', ['總經費12億元'])).toBeUndefined()
  })

  it('wants a web address when asked for one, not when asked about a website', () => {
    expect(missingAnswerType('數位卷要去哪個網站申請？', ['數位卷由計畫辦公室受理'])).toBe('url')
    expect(missingAnswerType('申請網址是什麼？', ['數位卷由計畫辦公室受理'])).toBe('url')
    expect(missingAnswerType('服務網站到11月底累計有多少人次瀏覽？', ['服務網站累計瀏覽422,888人次'])).toBeUndefined()
    expect(missingAnswerType('輔導網站是哪一年建置的？', ['中小即導網站於99年建置'])).toBeUndefined()
    // In English too: a count about a website asks no web address (declined-but-answerable class).
    expect(missingAnswerType('How many visits had the voucher website received by 2020?', ['數位卷網站累計瀏覽12,345人次'])).toBeUndefined()
    expect(missingAnswerType('Which website do we apply on?', ['數位卷由計畫辦公室受理'])).toBe('url')
    // 連結 as "link up" asks no address (declined-but-answerable class); a link asked for still does.
    expect(missingAnswerType('育成計畫幫新創連結海外市場，前年促成幾案？', ['促成新創連結海外市場12案'])).toBeUndefined()
    expect(missingAnswerType('報名的連結在哪？', ['報名由計畫辦公室受理'])).toBe('url')
    expect(missingAnswerType('可以給我申請表的下載連結嗎？', ['申請表請向計畫辦公室索取'])).toBe('url')
  })

  it('wants a term or an end for "does it expire", and an age for an age limit (answered-unanswerable class)', () => {
    expect(missingAnswerType('補助券拿到之後有使用期限嗎？', ['補助券每張抵用3,000元，可購買顧問服務'])).toBe('expiry')
    expect(missingAnswerType('補助券拿到之後有使用期限嗎？', ['補助券須於核發後6個月內使用'])).toBeUndefined()
    expect(missingAnswerType('資料不齊有補件期限嗎？', ['資料不齊者須於3天內補件'])).toBeUndefined()
    // An application deadline is a date question, not an expiry.
    expect(missingAnswerType('申請期限到什麼時候？', ['收件至6月17日'])).toBeUndefined()
    expect(missingAnswerType('負責人有年齡限制嗎？', ['負責人須為公司董事或持股10%以上股東'])).toBe('age')
    expect(missingAnswerType('負責人有年齡限制嗎？', ['負責人須年滿20歲'])).toBeUndefined()
  })

  it('wants the conditions themselves when asked for entry requirements (answered-unanswerable class)', () => {
    expect(missingAnswerType('金質獎報名資格是什麼？', ['金質獎110年有52家參選，選出12家得獎企業'])).toBe('criteria')
    expect(missingAnswerType('金質獎要什麼資格才能參選？', ['參選企業須設立滿3年、實收資本額8,000萬元以下'])).toBeUndefined()
    expect(missingAnswerType('Who is eligible for the award?', ['Entrants must have been registered for at least 3 years'])).toBeUndefined()
  })

  it('wants the instalments when asked how a grant is paid out (answered-unanswerable class)', () => {
    expect(missingAnswerType('這個補助款分幾期撥？第一期撥多少？', ['補助比例不得超過總經費50%，每案上限500萬元'])).toBe('instalments')
    expect(missingAnswerType('這個補助款分幾期撥？', ['補助款分兩期撥付：簽約後撥40%，結案後撥60%'])).toBeUndefined()
  })

  it('reads an e-mail address as an e-mail, not a street address', () => {
    expect(missingAnswerType('What is the email address of the programme contact?', ['聯絡人王小明，信箱 wang@example.gov.tw'])).toBeUndefined()
    expect(missingAnswerType('What is the email address of the programme contact?', ['聯絡人王小明，電話02-1234-5678'])).toBe('email')
    expect(missingAnswerType('What is the office address?', ['聯絡人王小明，信箱 wang@example.gov.tw'])).toBe('address')
  })

  it('wants the limit for a per-firm maximum, not a budget total', () => {
    expect(missingAnswerType('SBIR每一家公司最高可以拿到多少補助？', ['SBIR編列497,805千元，核定補助累計7.19億元'])).toBe('cap')
    expect(missingAnswerType('每案補助上限多少？', ['每案補助上限3,000萬元'])).toBeUndefined()
    expect(missingAnswerType('一家最高可以貸多少？', ['每家貸款額度最高1,000萬元'])).toBeUndefined()
    // Which category scored highest is a statistic, not a limit.
    expect(missingAnswerType('哪一種的每案平均效益最高、多少？', ['法人每案平均效益365萬元'])).toBeUndefined()
  })

  it('wants the application window for a deadline, not the programme\'s running period', () => {
    expect(missingAnswerType('115年的計畫什麼時候開始收件？', ['計畫期程為115年1月至118年12月'])).toBe('deadline')
    expect(missingAnswerType('什麼時候開始收件？', ['公告受理日期為113年4月30日至8月30日'])).toBeUndefined()
    expect(missingAnswerType('截止日是哪天？', ['113年度尚未公告'])).toBeUndefined()
  })

  it('wants a length of time for "how long" and a period for "how often"', () => {
    expect(missingAnswerType('送件之後審查大概多久會知道結果？', ['計畫於114年8月31日結束'])).toBe('duration')
    expect(missingAnswerType('執行期間多久？', ['核定後個案執行期間為5個月'])).toBeUndefined()
    expect(missingAnswerType('工作會議多久開一次？', ['工作會議每季召開一次'])).toBeUndefined()
  })

  it('wants a price or "free" when asked whether something costs money', () => {
    expect(missingAnswerType('碳健檢要不要錢？', ['碳健檢由記帳士協助企業盤查'])).toBe('fee')
    expect(missingAnswerType('碳健檢要不要錢？', ['碳健檢免費提供'])).toBeUndefined()
    // A cost the passage mentions for something else ("水電費用") does not say what this costs.
    expect(missingAnswerType('碳管理師課程要繳學費嗎？', ['培訓AI碳管理師，從水電費用換算碳排'])).toBe('fee')
  })

  it('does not take the knowledge base\'s "as of today" date for a year the question names', () => {
    expect(missingYear('115年的計畫什麼時候收件？', ['113年度受理期間已過（以今天（2026年11月）來看）'])).toBe('115')
    expect(missingYear('115年的計畫什麼時候收件？', ['115年（2026）1月起受理'])).toBeUndefined()
  })
})

describe('what a question is about', () => {
  const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map(), unseenIdf: 4 }
  const weightOf = (question: string, word: string) => subjectTerms(question, stats).find((t) => t.forms[0] === word)?.weight

  it('names the thing asked for, but not a generic "which aspects"', () => {
    expect(questionFocus('這種情況該找哪個機關？')).toBe('機關')
    expect(questionFocus('策略分眾是涵蓋從哪些面向一起推？')).toBeUndefined()
    // "Which two strategies": a count of the things asked names them too (wrong-section class).
    expect(questionFocus('這個工作計畫是靠哪兩個策略來推？')).toBe('策略')
    expect(questionFocus('得獎的是哪三家公司？')).toBe('公司')
  })

  it('does not count a stop word with a particle glued on ("做的") as subject', () => {
    expect(weightOf('查帳是委託誰做的？', '做的')).toBeUndefined()
    expect(weightOf('查帳是委託誰做的？', '查帳')).toBeGreaterThan(0)
    // A real word ending in 的 stays.
    expect(weightOf('這個計畫的目的是什麼？', '目的')).toBeGreaterThan(0)
    // "新的X計畫" names the newest X; 新的 is no subject the sources must hold.
    expect(weightOf('新的點數計畫預計補助幾家？', '新的')).toBeUndefined()
    // "收了" is the verb 收: its aspect particle is no word the sources must hold (declined-but-answerable class).
    expect(weightOf('這個計畫去年總共收了幾件申請？', '收了')).toBeUndefined()
    expect(weightOf('這個計畫去年總共收了幾件申請？', '收')).toBeLessThan(weightOf('這個計畫去年總共收了幾件申請？', '申請')!)
  })

  it('weighs the asker\'s situation less than what is asked, but not what the asker wants', () => {
    const asked = weightOf('社發計畫哪個計畫負責海外通路？', '通路')!
    expect(weightOf('我們是做海外通路的，社發計畫是哪個計畫負責？', '通路')).toBeCloseTo(asked * 0.35)
    expect(weightOf('想拓展海外通路，社發計畫裡是哪個計畫負責？', '通路')).toBeCloseTo(asked)
  })

  it('reads a period as one term, not as its last year (wrong-section class)', () => {
    const q = '技術輔導從95到104年一共輔導幾案？'
    const span = subjectTerms(q, stats).find((t) => t.forms.includes('95~104'))
    expect(span?.forms).toEqual(expect.arrayContaining(['95-104', '95至104', '2006~2015']))
    // The end year alone would favour passages about that one year.
    expect(weightOf(q, '104')).toBeUndefined()
    expect(coverageOf(q, ['技術輔導95~104年共輔導5,100案'], stats).ratio).toBeGreaterThan(coverageOf(q, ['技術輔導104年輔導300案'], stats).ratio)
    // In English, the Western years find the ROC period.
    expect(subjectTerms('How many cases from 2006 to 2015?', stats).some((t) => t.forms.includes('95~104'))).toBe(true)
    // Other ranges are the asker's figures, not periods.
    expect(subjectTerms('我們20到50人，可以申請嗎？', stats).some((t) => t.forms.some((f) => f.includes('~')))).toBe(false)
  })

  it('takes the clause an asking clause points back at as asked, not as the asker\'s story (declined-but-answerable class)', () => {
    const pointed = '聽說政府有請大學幫工廠做節能診斷，這是怎麼運作的？'
    const direct = '政府請大學幫工廠做節能診斷是怎麼運作的？'
    expect(weightOf(pointed, '診斷')).toBeCloseTo(weightOf(direct, '診斷')!)
    // The asker's own story stays a story.
    expect(weightOf('我開工廠想做節能診斷，這要怎麼申請？', '工廠')).toBeLessThan(weightOf('工廠節能診斷要怎麼申請？', '工廠')!)
  })

  it('reads a counter after 哪 ("哪一項") and a pointer back at a sum ("這筆錢") as form, so the story holds the subject (wrong-section class)', () => {
    const q = '我在做養殖漁業，十大數位工具裡哪一項跟我有關？'
    expect(weightOf(q, '項')).toBeUndefined()
    expect(coverageOf(q, ['十大數位工具之七是物聯網，例子是智慧養殖系統'], stats).ratio).toBeGreaterThan(0.6)
    expect(weightOf('聽說有捐助私校的育成中心，這筆錢是做什麼用的？', '筆錢')).toBeUndefined()
    expect(weightOf('「促進研發」這項計畫是做什麼的？', '這項')).toBeUndefined()
  })

  it('finds a question word in the documents\' word for it: a region by its countries, ROI for 報酬率 (declined-but-answerable class)', () => {
    expect(coverageOf('中企處之前派人去東南亞參加中小企業會議嗎？', ['中企處108年派員赴泰國、新加坡參加中小企業會議'], stats).missing).toEqual([])
    expect(coverageOf('專利輔導的投資報酬率是幾倍？', ['專利輔導平均每案成效386萬，ROI達25.91倍'], stats).missing).not.toContain('報酬率')
    expect(coverageOf('數位群聚計畫要加強店家什麼能力？', ['數位群聚計畫提升店家的資訊基本素養與數位能力'], stats).missing).toEqual([])
  })

  it('keeps the subject of the clauses before an asking clause that names nothing ("…，成效怎麼樣？")', () => {
    const q = '我們是開了兩家分店的麵包店，聽說政府幫烘焙坊導入行動支付，成效怎麼樣？'
    expect(weightOf(q, '支付')).toBeGreaterThan(0)
    expect(coverageOf(q, ['烘焙坊導入行動支付後，營業額成長12%'], stats).ratio).toBeGreaterThan(0.5)
  })
})

describe('English questions over Chinese passages (declined-but-answerable class)', () => {
  const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map(), unseenIdf: 4 }
  it("counts an everyday English word as found where the documents' term for it appears", () => {
    const passage = '申請者須有工廠登記，計畫主持人須持股10%以上，並由員工3人以上組成團隊。'
    for (const q of ['What conditions apply to the project lead?', 'Factory staff shareholding conditions?']) {
      expect(coverageOf(q, [passage], stats).ratio).toBeGreaterThanOrEqual(0.6)
    }
  })

  it('reads a branch office of a Japanese firm and asks for examples in the documents\' words', () => {
    const q = "We're the branch office of a Japanese maker. Can a branch apply? Can you give examples?"
    const terms = subjectTerms(q, stats).map((t) => t.forms)
    for (const form of ['we\'re', 'give']) expect(terms.map((f) => f[0])).not.toContain(form)
    expect(terms.find((f) => f[0] === 'branch')).toContain('分公司')
    expect(terms.find((f) => f[0] === 'japanese')).toContain('日商')
    expect(terms.find((f) => f[0] === 'examples')).toContain('例如')
  })

  it('reads a principal investigator, a file size limit, off-the-shelf packages and labour fees in the documents\' words', () => {
    const cases: [string, string, string[]][] = [
      ['Who is the principal investigator and how can I reach her?', '計畫主持人為王小明，聯絡電話02-1234-5678', ['investigator', 'reach']],
      ['Is there a file size limit for the upload?', '上傳檔案大小以20MB以內為限', ['file', 'size', 'limit']],
      ['Can we implement an off-the-shelf package, and how much must it be customized?', '導入套裝軟體須客製化60%以上', ['off-the-shelf', 'package', 'customized']],
      ['Is there a ceiling on commissioned labour or certification fees?', '委託勞務或驗證費上限為總經費40%', ['commissioned', 'labour', 'certification']],
    ]
    for (const [q, passage, words] of cases) {
      const missing = coverageOf(q, [passage], stats).missing
      for (const w of words) expect(missing, q).not.toContain(w)
    }
  })

  it('reads join, brand new, continuation and expect in the documents\' words (English class)', () => {
    const cases: [string, string, string[]][] = [
      ['When did the island join the trade club?', '該島於2002年1月1日正式加入貿易俱樂部', ['join']],
      ['Is the voucher plan brand new, or a continuation of an older plan?', '數位卷計畫為全新計畫，並非延續舊計畫', ['brand', 'continuation']],
      ['How many firms did the plan expect to help?', '計畫預計輔導167家', ['expect']],
    ]
    for (const [q, passage, words] of cases) {
      const missing = coverageOf(q, [passage], stats).missing
      for (const w of words) expect(missing, q).not.toContain(w)
    }
  })

  it('reads a self-funding share question with its everyday words (minimum share, real-time)', () => {
    const passage = '一般個案業者自籌款至少占總經費20%，政府最多出80%；即時技術服務隨到隨辦。'
    const q = 'What is the minimum self-funding share for a general case, and the maximum government share?'
    expect(coverageOf(q, [passage], stats).ratio).toBeGreaterThanOrEqual(0.6)
  })
})

describe('names in a Chinese question (scope class)', () => {
  it('weighs a Latin name the knowledge base never mentions as what the question turns on', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['點數', 3], ['方案', 2], ['pos', 3]]), unseenIdf: 4 }
    const passage = '點數可以折抵雲端方案一半的費用，例如 POS、會計與排班系統。'
    // A brand the sources never name: most of the question is missing.
    expect(coverageOf('點數可以買 Zylofin 跟 Quarkly 的方案嗎？', [passage], stats).ratio).toBeLessThan(0.5)
    // A Latin word the sources do use counts like any other.
    expect(coverageOf('點數可以買 POS 方案嗎？', [passage], stats).ratio).toBeGreaterThanOrEqual(0.6)
  })

  it('finds each word of an English phrase where the phrase\'s Chinese term is ("greenhouse gas" → 溫室氣體)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map([['溫室氣體', 4], ['減少', 2]]), unseenIdf: 6 }
    const coverage = coverageOf('How much greenhouse gas did the programme cut?', ['節能輔導計畫109年減少溫室氣體排放3,591公噸'], stats)
    expect(coverage.missing).not.toContain('gas')
    expect(coverage.missing).not.toContain('greenhouse')
  })
})

describe('the passage that leads an offline answer', () => {
  const hit = (documentId: string, title: string, heading: string, text: string, rank: number): SearchHit => ({
    chunkHash: `${documentId}-${rank}`,
    documentId,
    title,
    headingPath: [heading],
    text,
    kind: 'programme',
    programme: documentId,
    source: 'test',
    sourceDate: '2024-05',
    status: 'closed',
    windowCloses: null,
    windowOpens: null,
    card: null,
    score: 1 / (60 + rank),
    vectorRank: rank,
    lexicalRank: rank,
  })
  /** A hit whose section has an answer card (its section is the hit's heading). */
  const withCard = (h: SearchHit, lead: string, asks: string[]): SearchHit => ({ ...h, card: { section: h.headingPath.at(-1)!, lead, asks } })
  const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map(), unseenIdf: 4 }
  const steps = hit('cloud', '雲端點數計畫', '申請步驟', '雲端點數計畫的申請分三步：註冊帳號、挑選方案、上傳文件。', 1)
  const window = hit('cloud', '雲端點數計畫', '受理期間', '雲端點數計畫受理至113年8月30日。', 2)
  const otherWindow = hit('assist', '技術輔導計畫', '受理期間', '技術輔導計畫受理至113年3月31日。', 3)

  it('is the section of the same document that holds the date a deadline question asks for', () => {
    const composed = composeExtractive('雲端點數計畫申請到哪天截止？', [steps, window, otherWindow], stats)
    expect(composed.covered).toBe(true)
    expect(composed.body.split('\n')[0]).toContain('8月30日')
    expect(composed.citations[0]!.headingPath).toEqual(['受理期間'])
  })

  it('is found among the programme\'s many sections even when the retriever ranks it sixth (wrong-section class)', () => {
    // Five sections share the programme's words (技術輔導, 112年, 輔導類別, 申請); only the sixth says which was applied for most.
    const facets = ['通過率', '執行效益', '核定經費', '審查委員', '結案驗收'].map((facet, i) =>
      hit('assist', '技術輔導計畫112年度統計', `112年度輔導類別的${facet}`, `技術輔導計畫112年度各輔導類別的${facet}：製程改善、產品設計、數位化依序列出，詳見表格。`, i + 1))
    const most = hit('assist', '技術輔導計畫112年度統計', '112年度申請案依輔導類別', '技術輔導計畫112年度申請以「數位化」142案最多，產品設計120案次之。', 6)
    const kept = bestPassages('技術輔導計畫112年哪一種輔導類別申請最多？', [...facets, most], stats, 5)
    expect(kept).toHaveLength(5)
    expect(kept).toContain(most)
    // In the retriever's order still.
    expect(kept.map((h) => h.vectorRank)).toEqual([...kept.map((h) => h.vectorRank)].sort((a, b) => a! - b!))
  })

  it('is the section describing a programme when asked what it does, not its budget or a year\'s results (wrong-section class)', () => {
    const budget = hit('coop', '合作行銷輔導', '合作行銷輔導111年度預算', '合作行銷輔導111年度委辦2,138千元，輔導企業合作行銷。', 1)
    const results = hit('coop', '合作行銷輔導', '合作行銷輔導110年上半年成果', '合作行銷輔導110年上半年受理企業諮詢112件，輔導合作群聚6案。', 2)
    const aims = hit('coop', '合作行銷輔導', '合作行銷輔導的做法', '合作行銷輔導協助中小企業建立合作環境、開發合作機會，提升競爭力。', 3)
    for (const q of ['合作行銷輔導是要幫企業做什麼？', 'What does the cooperative marketing programme do for SMEs?']) {
      expect(composeExtractive(q, [budget, results, aims], stats).citations[0]!.headingPath).toEqual(['合作行銷輔導的做法'])
    }
    // Its budget is answered by the budget.
    expect(composeExtractive('合作行銷輔導111年編了多少經費？', [budget, results, aims], stats).citations[0]!.headingPath).toEqual(['合作行銷輔導111年度預算'])
  })

  it('reads a count from a table by its column label (declined-but-answerable class)', () => {
    // The count is in a table whose header says what it counts ("申請案數"); the row holds only the figure.
    const busy = hit('assist', '技術輔導計畫', '105年度申請情形', '技術輔導計畫105年度申請踴躍，各場說明會座無虛席，申請集中在產品設計。', 1)
    const table = hit('assist', '技術輔導計畫', '逐年申請案數', '| 年度 | 申請案數 | 輔導案數 |\n|---|---|---|\n| 104 | 702 | 290 |\n| 105 | 665 | 307 |', 2)
    const composed = composeExtractive('技術輔導計畫105年申請幾案？', [busy, table], stats)
    expect(composed.covered).toBe(true)
    expect(composed.body.split('〔')[0]).toContain('665')
  })

  it('shows a later part\'s section by its card\'s lead when only its heading names the part, never a bare source mark', () => {
    const visits = withCard(hit('assist', '技術輔導計畫', '期中查訪', '技術輔導計畫的期中管理以查訪為主，計畫辦公室抽查22案到現場訪視。', 1), '技術輔導計畫期中以查訪為主，抽查22案。', ['期中怎麼查核？'])
    const rules = withCard(hit('assist', '技術輔導計畫', '執行的規定：5個月', '短期、小額、即時的輔導。', 2), '技術輔導計畫個案以短期、小額為原則，約5個月。', ['要做多久？'])
    const composed = composeExtractive('技術輔導計畫期中查訪要抽查幾案？執行有什麼規定？', [visits, rules], stats)
    expect(composed.body).toContain('約5個月。〔2〕')
    for (const line of composed.body.split('\n')) expect(line).not.toMatch(/^〔\d+〕$/u)
  })

  it('reads a count labelled by what was counted (申請數, 核定數) (declined-but-answerable class)', () => {
    expect(missingAnswerType('E化類102年申請了幾案？', ['年度 102：申請數 320；執行數 111'])).toBeUndefined()
    expect(missingAnswerType('今年核定了幾件？', ['類組 設計服務：核定數 61'])).toBeUndefined()
    // A figure labelled as money counts nothing.
    expect(missingAnswerType('E化類102年申請了幾案？', ['年度 102：預算 320萬元'])).toBe('count')
  })

  it('answers a question that names no region from the whole table, not from one region\'s (wrong-section class)', () => {
    // Four sibling sections differ only in the region they are narrowed to; the retriever ranks them above the whole.
    const table = (label: string, row: string) => `| 年度 | ${label}補助案數 | 核定案數 |\n|---|---|---|\n| 104 | 70 | 30 |\n| 105 | ${row} |`
    const regions = ['北區', '南區', '中區', '東區'].map((region, i) => ({
      ...hit('expo', '展售補助計畫：98~107年各地區補助統計', '', table(region, `${80 + i} | ${40 + i}`), i + 1),
      headingPath: ['展售補助計畫：98~107年各地區補助統計', `${region}逐年補助與核定`],
    }))
    const briefing = hit('expo', '展售補助計畫：說明會', '說明會場次', '展售補助計畫每年辦說明會，介紹補助與核定流程。', 5)
    const whole = { ...hit('expo', '展售補助計畫：98~107年累計成果', '', table('全計畫', '612 | 305'), 6), headingPath: ['展售補助計畫：98~107年累計成果', '逐年補助案數與核定案數（全計畫合計）'] }
    const pool = [...regions, briefing, whole]
    const answer = (q: string) => composeExtractive(q, bestPassages(q, pool, stats, 4), stats)
    expect(answer('展售補助計畫105年總共補助幾案？核定幾案？').citations[0]!.headingPath.at(-1)).toBe('逐年補助案數與核定案數（全計畫合計）')
    // A question that names the region ("南部" for 南區) is still answered by that region's section.
    expect(answer('展售補助計畫南部105年補助幾案？').citations[0]!.headingPath.at(-1)).toBe('南區逐年補助與核定')
  })

  it('answers a question over the years from the section on all of them, not one year\'s (wrong-section class)', () => {
    // Both sections count applications by type of coaching unit; the question asks about the whole decade.
    const oneYear = hit('assist', '技術輔導計畫：112年度申請案統計', '112年度申請案：依輔導單位', '技術輔導計畫112年度共受理申請720案，其中學校提案最多，280案。', 1)
    const decade = hit('assist', '技術輔導計畫：103~112年申請統計', '十年輔導單位別概況', '技術輔導計畫103~112年共受理申請15,200案，其中法人提案7,100案最多。', 2)
    const composed = composeExtractive('技術輔導計畫這10年來總共收了多少申請案？哪種輔導單位提案最多？', [oneYear, decade], stats)
    expect(composed.citations[0]!.headingPath).toEqual(['十年輔導單位別概況'])
    expect(composed.body.split('〔')[0]).toContain('15,200')
  })

  it('does not answer a budget question with another section\'s figure of something else (answered-unanswerable class)', () => {
    // The plan's targets match best but give no money; the only amount in the document is a target for deals.
    const targets = hit('plan', '創新育成計畫', '115~118年總體目標', '創新育成計畫115~118年的總體目標：培育數位人才3,000人、輔導中小企業1,200家。', 1)
    const deals = hit('plan', '創新育成計畫', '115~118年商機媒合目標', '創新育成計畫115~118年促成中小企業商機媒合50案、5億元。', 2)
    const question = '創新育成計畫115到118年輔導中小企業的總經費是多少？'
    // 經費 is a word the index knows (other sections give other budgets).
    const known: TermStatistics = { ...stats, idf: new Map([['經費', 2]]) }
    expect(composeExtractive(question, [targets, deals], known).covered).toBe(false)
    // A section that names the budget still answers.
    const budget = hit('plan', '創新育成計畫', '115~118年經費', '創新育成計畫115~118年輔導中小企業的總經費12億元。', 3)
    expect(composeExtractive(question, [targets, deals, budget], known).body).toContain('12億元')
  })

  it('does not show a second passage that only says again what is shown (length class)', () => {
    const results = withCard(hit('award', '創新獎', '創新獎109年度辦理情形', '創新獎109年度受理參選企業68家，經初審、決審選出15家得獎企業，並辦頒獎典禮1場。', 1), '創新獎109年度有68家企業參選，選出15家得獎企業。', [])
    // The budget book's summary table of all programmes' results (no programme of its own).
    const summary = { ...hit('results', '109年度各計畫成果一覽', '109年度成果摘要', '109年度計畫 創新獎選拔：主要成果 68家企業參選，15家得獎企業', 2), programme: null }
    const composed = composeExtractive('創新獎109年有多少企業參選？', [results, summary], stats)
    expect(composed.covered).toBe(true)
    expect(composed.body).not.toContain('〔2〕')
    expect(composed.more).toContain('主要成果')
    // A passage with a figure not yet shown still is.
    const more = { ...summary, text: '109年度計畫 創新獎選拔：主要成果 68家企業參選，15家得獎企業，另有7家入圍' }
    expect(composeExtractive('創新獎109年有多少企業參選？', [results, more], stats).body).toContain('7家入圍')
  })

  it('answers the later part of a two-part question from a passage on the earlier part\'s subject (wrong-section class)', () => {
    // "…訪視報告哪天交？交了之後由誰審？": two passages say who reviews; only one speaks of the visit reports.
    const due = hit('assist', '技術輔導計畫', '期中訪視', '技術輔導計畫期中訪視報告於9月15日前繳交。', 1)
    const plans = hit('assist', '技術輔導計畫', '計畫書審查', '技術輔導計畫的計畫書由審查委員會審查。', 2)
    const reports = hit('assist', '技術輔導計畫', '訪視報告', '技術輔導計畫的期中訪視報告由主審委員審查。', 3)
    const composed = composeExtractive('技術輔導計畫的期中訪視報告哪天要交？交了之後由誰審？', [due, plans, reports], stats)
    expect(composed.covered).toBe(true)
    expect(composed.body).toContain('9月15日')
    expect(composed.body).toContain('主審委員')
    expect(composed.body).not.toContain('審查委員會')
  })

  it('is found deep in a programme\'s pool of passages (wrong-section class)', () => {
    const facets = ['通過率', '執行效益', '核定經費', '審查委員', '結案驗收', '滿意度', '推廣活動', '經費執行', '人力配置', '輔導單位'].map((facet, i) =>
      hit('assist', '技術輔導計畫112年度統計', `112年度輔導類別的${facet}`, `技術輔導計畫112年度各輔導類別的${facet}：製程改善、產品設計、數位化依序列出，詳見表格。`, i + 1))
    const most = hit('assist', '技術輔導計畫112年度統計', '112年度申請案依輔導類別', '技術輔導計畫112年度申請以「數位化」142案最多，產品設計120案次之。', 11)
    expect(bestPassages('技術輔導計畫112年哪一種輔導類別申請最多？', [...facets, most], stats, 5)).toContain(most)
  })

  it('does not take a year the question names from a side passage that only mentions it', () => {
    const window = hit('assist', '技術輔導計畫', '受理申請期間', '技術輔導計畫每年受理申請約1個月，112年度受理申請期間為2月1日至3月15日。', 1)
    const plan = hit('assist', '技術輔導計畫', '檢討與建議', '技術輔導計畫113年將續改善線上受理系統。', 2)
    const composed = composeExtractive('技術輔導計畫113年什麼時候受理申請？', [window, plan], stats)
    expect(composed.body.split('〔1〕')[0]).toContain('2月1日')
    expect(composed.covered).toBe(false)
    expect(composed.lacking).toBe('113')
    expect(composeExtractive('技術輔導計畫112年什麼時候受理申請？', [window, plan], stats).covered).toBe(true)
  })

  it('holds a question naming a programme we hold to the usual bar, whatever its other words (scope class)', () => {
    // 金鼎獎 names no word of our subject (補助, 中小企業, 數位…); the question names it as a programme.
    const award = hit('award', '金鼎獎', '110年度辦理情形', '金鼎獎110年度有60家參選，經初審、決審選拔12家得獎。', 1)
    const question = '金鼎獎110年最後挑出了幾家？'
    const asGeneral = composeExtractive(question, [award], stats)
    const asProgramme = composeExtractive(question, [award], stats, undefined, { namesProgramme: true })
    expect(asGeneral.coverage.ratio).toBeGreaterThanOrEqual(0.6)
    expect(asGeneral.covered).toBe(false)
    expect(asProgramme.covered).toBe(true)
    expect(asProgramme.body).toContain('12家')
  })

  it('is the section of the same document about the year the question names', () => {
    const summary = hit('cloud', '雲端點數計畫', '核定家數', '雲端點數計畫112年度核定300家。', 1)
    const later = hit('cloud', '雲端點數計畫', '113年度', '該年度核定450家。', 2)
    const composed = composeExtractive('雲端點數計畫113年度核定了幾家？', [summary, later], stats)
    expect(composed.covered).toBe(true)
    expect(composed.body.split('\n')[0]).toContain('450家')
  })

  it('answers a question that asks for no figure on a looser match than one that asks for a figure', () => {
    // The asker's words (老闆, 擔心, 背後, 問題) are not in the passage; 陸資, SI, 供應鏈AI are.
    const rule = hit('ai', '供應鏈AI計畫', '不得申請的情形', '供應鏈AI計畫的委外SI廠商不得為陸資企業。', 1)
    const descriptive = composeExtractive('SI廠商背後有陸資，老闆擔心申請供應鏈AI計畫會有問題嗎？', [rule], stats)
    expect(descriptive.coverage.ratio).toBeGreaterThanOrEqual(0.5)
    expect(descriptive.coverage.ratio).toBeLessThan(0.6)
    expect(descriptive.covered).toBe(true)
    // At the same share of the subject, a question asking for a figure is declined.
    const figure = composeExtractive('SI廠商背後有陸資，老闆擔心申請供應鏈AI計畫會有幾個問題？', [rule], stats)
    expect(figure.coverage.ratio).toBeLessThan(0.6)
    expect(figure.covered).toBe(false)
  })

  it('is the passage that answers both parts of a two-part question', () => {
    const summary = hit('summary', '策略布局計畫', '各計畫成果一覽', '策略布局計畫109年協助15家中小企業掌握印度商機。', 1)
    const detail = hit('detail', '策略布局計畫', '109年度成果', '新興議題為遠距醫療產業。策略布局計畫109年協助15家中小企業掌握印度商機。', 2)
    const composed = composeExtractive('策略布局計畫109年的新興議題是什麼？另外幫幾家掌握印度商機？', [summary, detail], stats)
    expect(composed.citations[0]!.documentId).toBe('detail')
    expect(composed.body.split('〔1〕')[0]).toContain('遠距醫療')
  })

  it('does not repeat the lead in other words after it (length class)', () => {
    const survey = withCard(hit('survey', '小企業數位化調查', '製造業', '調查顯示，50人以下製造業仍用基本電腦軟體的比例為73.9%。服務業的比例為67.1%。', 1), '小企業數位化調查：50人以下製造業有73.9%仍用基本電腦軟體。', ['小工廠還在用基本軟體的有多少？'])
    const composed = composeExtractive('小企業數位化調查裡，50人以下製造業還在用基本電腦軟體的比例多高？', [survey], stats)
    expect(composed.body).toContain('73.9%')
    expect(composed.body).not.toContain('比例為73.9%')
    expect(composed.body).toContain('67.1%')
  })

  it("leads with the table whose card names the group and tool asked, over a summary of all groups (wrong-section class)", () => {
    // The table's rows name neither the group nor the tool; its card's lead names both.
    const summary = withCard(hit('survey', '小店數位化調查', '調查結論', '調查指出，小型餐飲業與零售業的訂位、庫存與帳務，有五到六成仍以紙本或Excel處理，收銀多已導入POS系統。', 1), '調查指出，小型餐飲業與零售業的訂位、庫存與帳務，有五到六成仍以紙本或Excel處理。', ['小店數位化普遍到什麼程度？'])
    const table = withCard(hit('survey', '小店數位化調查', '餐飲業各項業務比例', '| 業務 | 方式 | 比例 |\n|---|---|---|\n| 訂位 | 紙本 | 58.2% |\n| 庫存 | 試算表 | 61.4% |\n| 帳務 | 記帳軟體 | 22.7% |', 2), '小型餐飲業訂位58.2%仍用紙本，庫存61.4%用Excel等試算表，帳務22.7%用記帳軟體。', ['餐廳訂位還用紙本的有多少？'])
    const composed = composeExtractive('調查裡，小型餐飲業庫存還在用Excel的比例有多高？', [summary, table], stats)
    expect(composed.body.split('〔1〕')[0]).toContain('61.4%')
  })

  it("names the whole list a question asks for, from the listing section's card (length class)", () => {
    const about = withCard(hit('farm', '智慧農業推廣方案', '方案是什麼', '智慧農業推廣方案是農業處的四年期方案，底下有子計畫，協助小農導入感測與雲端工具。', 1), '智慧農業推廣方案是農業處的四年期方案，底下有子計畫，協助小農導入感測與雲端工具。', ['智慧農業推廣方案是什麼？'])
    const list = withCard(hit('farm', '智慧農業推廣方案', '四項子計畫', '智慧農業推廣方案的子計畫如下：\n- 田間感測子計畫：補助小農裝設土壤與氣象感測器，協助掌握田間的溫度與濕度變化。\n- 雲端記帳子計畫：輔導小農用雲端記帳軟體記錄收支，每月產出報表。\n- 冷鏈物流子計畫：協助產地建立冷藏集貨與配送。\n- 產銷媒合子計畫：媒合小農與通路，辦理展售活動。', 2), '智慧農業推廣方案有四項子計畫：田間感測、雲端記帳、冷鏈物流、產銷媒合。', ['有哪些子計畫？'])
    const composed = composeExtractive('智慧農業推廣方案底下有哪幾個子計畫？', [about, list], stats)
    for (const name of ['田間感測', '雲端記帳', '冷鏈物流', '產銷媒合']) expect(composed.body).toContain(name)
  })

  it('answers a count from the section that gives it, not from a rule that happens to hold a count (wrong-section class)', () => {
    const purpose = withCard(hit('storm', '颱風災後輔導專案', '專案內容', '颱風災後輔導專案協助受災工廠修復機台、恢復生產。依一般規定，天然災害重建案不計入每年1案的申請限制。', 1), '颱風災後輔導專案協助受災工廠修復機台、恢復生產，受災工廠不必自籌經費。', ['颱風災後輔導專案在做什麼？'])
    const approved = withCard(hit('storm', '颱風災後輔導專案', '核定', '本專案核定受災工廠共42案，政府經費840萬元。', 2), '本專案核定受災工廠共42案，政府經費840萬元。', ['核定幾案？'])
    const composed = composeExtractive('颱風受災的工廠，有幾案拿到災後輔導？', [purpose, approved], stats)
    expect(composed.covered).toBe(true)
    expect(composed.body).toContain('42案')
  })

  it('shows the table row naming the region asked, among rows that add as much (wrong-section class)', () => {
    const table = withCard(hit('farm', '智慧農機推廣計畫：各區成果', '各區推廣成果', '| 地區 | 推廣台數 | 滿意度 |\n|---|---|---|\n| 北區 | 300 | 88% |\n| 南區 | 250 | 90% |\n| 中區 | 200 | 85% |\n| 東區 | 80 | 93% |', 1), '智慧農機推廣計畫各區推廣：北區300台最多，其次南區250台、中區200台，東區80台。', ['各區推廣了幾台農機？'])
    const composed = composeExtractive('我們在東部，智慧農機推廣計畫東區的滿意度怎麼樣？', [table], stats)
    expect(composed.body.split('〔1〕')[0]).toContain('93%')
  })

  it('meets a count typed in digits where the section spells it out (everyday-language class)', () => {
    // Both cards are asked alike; only the count tells them apart, typed as 5 and spelled 五.
    const yearly = withCard(hit('farm', '智慧農機推廣計畫：歷年成果', '112年度推廣成果', '智慧農機推廣計畫112年度推廣120台農機、節省人力8,000小時。', 1), '智慧農機推廣計畫112年度推廣120台農機、節省人力8,000小時。', ['112年總共推廣多少台農機？'])
    const decade = withCard(hit('farm', '智慧農機推廣計畫：歷年成果', '五年累計成果', '智慧農機推廣計畫五年累計推廣900台農機、節省人力60,000小時。', 2), '智慧農機推廣計畫五年累計推廣900台農機、節省人力60,000小時。', ['這五年總共推廣多少台農機？'])
    const composed = composeExtractive('智慧農機推廣計畫這5年總共推廣多少台農機？', [yearly, decade], stats)
    expect(composed.covered).toBe(true)
    expect(composed.body.split('〔1〕')[0]).toContain('900台')
  })

  it('declines when the thing whose figure is asked is named nowhere (unanswerable class)', () => {
    // The passage gives figures of the same topic, but never the one asked for.
    const park = hit('park', '海港創業基地', '進駐成果', '海港創業基地110年有25家新創進駐，舉辦交流活動12場。', 1)
    const fee = composeExtractive('海港創業基地進駐一個月管理費多少？', [park], stats)
    expect(measuredThing('海港創業基地進駐一個月管理費多少？')).toBe('管理費')
    expect(fee.covered).toBe(false)
    // A thing the passage names is answered.
    const count = composeExtractive('海港創業基地110年有多少家新創進駐？', [park], stats)
    expect(count.covered).toBe(true)
  })

  it('reads the measured thing after 多少, before a counter, and not in a verb with its result', () => {
    expect(measuredThing('這項補助總共編了多少經費？')).toBe('經費')
    expect(measuredThing('要營收多少才能報名？')).toBe('營收')
    expect(measuredThing('去年通過了幾案？')).toBe('通過')
    expect(measuredThing('點數最高多少？')).toBe('點數')
    // 算 of 預算 is part of the word, not "how much it comes to" (declined-but-answerable class).
    expect(measuredThing('這個計畫原本預算是多少元？')).toBe('預算')
    expect(measuredThing('計畫有幫到多少家廠商？')).toBeUndefined()
    expect(measuredThing('可以一次匯入好幾家廠商嗎？')).toBeUndefined()
    expect(measuredThing('一家公司最多可以補助多少錢？')).toBeUndefined()
    // A budget verb glued to the word before it ("分項編了多少") is no part of the thing (declined-but-answerable class).
    expect(measuredThing('「推動商圈數位化」這個分項編了多少錢？')).toBe('分項')
    // A counter joined by 的 names what is counted after it ("幾家次的盤查"), not the agency before it.
    expect(measuredThing('中企處今年要做幾家次的節能診斷？')).toBe('節能')
    // The one who gives is not what is given ("政府最多給多少點" asks for points) (declined-but-answerable class).
    expect(measuredThing('買雲端記帳軟體，政府最多給多少點？')).toBeUndefined()
  })

  it('answers each part of a two-part question with the kind of fact it asks (declined-but-answerable class)', () => {
    // The main section holds every word of the second part (114年, 推動) but not the count it asks for;
    // another document's section gives the count.
    const level = withCard(hit('climb', '升級計畫', '分級與目標', '升級計畫114年起推動企業以五級衡量數位程度，受補助企業目標至少提升1級。', 1), '升級計畫114年起推動的受補助企業，數位程度目標是至少提升1級。', ['受補助企業的數位程度要提升幾級？'])
    const yearly = withCard({ ...hit('climb-goals', '升級計畫年度目標', '各年度輔導家次', '升級計畫各年度目標：113年3,000家次，114年3,500家次。', 2), programme: 'climb' }, '升級計畫各年度推動目標：113年3,000家次，114年3,500家次。', ['每年目標幾家？'])
    const composed = composeExtractive('升級計畫受補助企業的數位程度要提升幾級？114年預計推動多少家次？', [level, yearly], stats)
    expect(composed.covered).toBe(true)
    expect(composed.body).toContain('1級')
    expect(composed.body).toContain('3,500家次')
    // Another programme's count answers nothing about this one.
    const foreign = { ...yearly, programme: 'voucher-abroad', documentId: 'voucher-abroad' }
    expect(composeExtractive('升級計畫受補助企業的數位程度要提升幾級？114年預計推動多少家次？', [level, foreign], stats).covered).toBe(false)
  })

  it('is never another document: a date from another programme does not answer', () => {
    const composed = composeExtractive('雲端點數計畫申請到哪天截止？', [steps, otherWindow], stats)
    expect(composed.covered).toBe(false)
  })
})
