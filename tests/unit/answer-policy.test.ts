import { describe, expect, it } from 'vitest'
import { isEnglish, phrasingSimilarity } from '../../src/answer/extractive.js'
import { premiseCorrection } from '../../src/answer/premise.js'
import { localGovernmentAsked, notHeldProgrammeNamed, otherAgencyAsked, programmeRegistry, programmesNamed, shortFormOf, unknownProgrammeNamed, withFullNames } from '../../src/answer/programmes.js'
import { UNHAPPY } from '../../src/answer/routes.js'
import { mentionsDomain } from '../../src/knowledge/expand.js'

// Made-up sentences of each class; none comes from an eval file.
describe('programme identity', () => {
  it('knows programmes by their names and aliases, case-insensitively, longest name first', () => {
    expect(programmesNamed('雲市集工業館的點數可以買什麼？').map((p) => p.id)).toEqual(['cloud-marketplace'])
    expect(programmesNamed('sbir 跟 接班傳承 差在哪').map((p) => p.id).sort()).toEqual(['sbir', 'succession-dx'])
    expect(programmesNamed('數位轉型要從哪裡開始？')).toEqual([])
    // The short name owners use ("接班計畫") is the programme, not one the knowledge base lacks (wrong-programme class).
    expect(programmesNamed('我可以當接班計畫的主持人嗎？').map((p) => p.id)).toEqual(['succession-dx'])
  })

  it('spots a programme the knowledge base does not hold, but not a kind of programme', () => {
    expect(unknownProgrammeNamed('青年築夢創業計畫一家可以借多少？')).toBe('青年築夢創業計畫')
    expect(unknownProgrammeNamed('SIIR計畫的補助上限？')).toBe('SIIR計畫')
    expect(unknownProgrammeNamed('有哪些補助計畫適合餐廳？')).toBeUndefined()
    expect(unknownProgrammeNamed('我們想啟動數位轉型計畫，要先做什麼？')).toBeUndefined()
    expect(unknownProgrammeNamed('雲市集計畫什麼時候開始？')).toBeUndefined()
    // An umbrella policy the held programmes belong to is no unknown programme.
    expect(unknownProgrammeNamed('雲世代計畫要帶動多少家企業上雲？')).toBeUndefined()
    // A year before a name is no part of it: "110年青年築夢計畫" names 青年築夢計畫.
    expect(unknownProgrammeNamed('110年青年築夢計畫輔導了幾家？')).toBe('青年築夢計畫')
    // "整案計畫經費" is a whole case's budget, not a programme's name.
    expect(unknownProgrammeNamed('聯合輔導案的整案計畫經費上限是多少？')).toBeUndefined()
    // An agency's yearly policy plan is a kind of document, not a programme (declined-but-answerable class).
    expect(unknownProgrammeNamed('經濟部今年的施政計畫有提到幫傳統市場攤商嗎？')).toBeUndefined()
    expect(unknownProgrammeNamed('112年度重要施政計畫裡有哪些數位項目？')).toBeUndefined()
  })

  it('reads a short form of one held programme\'s name as that programme (programme identity class)', () => {
    const registry = programmeRegistry({
      programmes: [
        { id: 'craft', name: '地方工藝創新推廣計畫', aliases: [] },
        { id: 'shop', name: '地方商圈數位推廣計畫', aliases: ['在地青年商店'] },
      ],
      generic: ['補助計畫'],
    })
    // 工創 keeps 工 and 創 of 工藝創新: the programme, written in full for searching and checking.
    expect(shortFormOf('工創', registry)?.id).toBe('craft')
    expect(withFullNames('工創計畫一年補助幾家？', registry)).toBe('地方工藝創新推廣計畫一年補助幾家？')
    expect(unknownProgrammeNamed(withFullNames('工創計畫一年補助幾家？', registry), registry)).toBeUndefined()
    // Both names keep 地 and 推 in order: which one is meant is not known.
    expect(shortFormOf('地推', registry)).toBeUndefined()
    // A word a name holds whole (數位) is a word, shared by other names; a short form of an alias
    // (青商 of 在地青年商店) may mean something else to the asker.
    expect(shortFormOf('數位', registry)).toBeUndefined()
    expect(withFullNames('青商計畫一年補助幾家？', registry)).toBe('青商計畫一年補助幾家？')
    // "上傳到計畫網站", "內部計畫管理": the words before 計畫 name no programme at all.
    expect(unknownProgrammeNamed('成果有多少案上傳到計畫網站？', registry)).toBeUndefined()
    expect(unknownProgrammeNamed('內部計畫管理平台怎麼避免重複申請？', registry)).toBeUndefined()
  })

  it('spots a subsidy an agency runs as a programme, but not a subsidy described in passing', () => {
    expect(unknownProgrammeNamed('勞動部的員工數位技能補助一家可以領多少？')).toBe('員工數位技能補助')
    expect(unknownProgrammeNamed('環境署的小店節能補貼要怎麼申請？')).toBe('小店節能補貼')
    expect(unknownProgrammeNamed('中小企業處有那種幫青年開店的補助嗎？')).toBeUndefined()
    expect(unknownProgrammeNamed('經濟部的雲市集點數補助還有嗎？')).toBeUndefined()
    // A subsidy named on its own, as a noun phrase (wrong-programme class); not its share, nor a kind of subsidy.
    expect(unknownProgrammeNamed('餐飲業低碳廚房設備補助，一家店最多可以補多少？')).toBe('餐飲業低碳廚房設備補助')
    // Also when the question runs on without a pause ("…補助要什麼條件？").
    expect(unknownProgrammeNamed('社區咖啡館節能設備補助要什麼條件？')).toBe('社區咖啡館節能設備補助')
    expect(unknownProgrammeNamed('雲市集工業館數位點數補助，最多可以拿多少點？')).toBeUndefined()
    expect(unknownProgrammeNamed('餐飲業低碳廚房設備補助比例是多少？')).toBeUndefined()
    expect(unknownProgrammeNamed('有沒有數位轉型補助？')).toBeUndefined()
  })

  it("spots a question about another agency's subsidies, but not a mention of the agency (wrong-programme class)", () => {
    expect(otherAgencyAsked('文化部那邊有給小店的數位補助嗎？')).toBe('文化部')
    expect(otherAgencyAsked('農業部的農產品電商方案可以申請嗎？')).toBe('農業部')
    expect(otherAgencyAsked('SI要有數位產業署的能量登錄才能做供應鏈AI嗎？')).toBeUndefined()
    expect(otherAgencyAsked('文化部在哪裡？')).toBeUndefined()
    // Named in English, the agency and its subsidy are the same question.
    expect(otherAgencyAsked("Does the Ministry of Culture have a grant for small shops going digital?")).toBe('文化部')
    expect(otherAgencyAsked('Where is the Ministry of Culture?')).toBeUndefined()
    // a county's or city's own subsidies and programmes are another agency's
    expect(otherAgencyAsked('屏東縣政府有沒有給小吃店的數位化補助？')).toBe('屏東縣政府')
    expect(otherAgencyAsked('市政府有沒有給小吃店的數位化補助？')).toBe('市政府')
    // The city's own subsidy, whatever it is called: a generic name (數位轉型補助) does not hide whose it is.
    expect(localGovernmentAsked('新竹縣政府自己有沒有中小企業數位轉型補助？')).toBe('新竹縣政府')
    expect(localGovernmentAsked('臺南市府有推智慧商圈計畫嗎？')).toBe('臺南市府')
    expect(localGovernmentAsked('市政府有沒有補助？')).toBeUndefined()
    expect(localGovernmentAsked('高雄市政府在哪裡？')).toBeUndefined()
    expect(unknownProgrammeNamed('台中市青年數位創業補助計畫最多補多少？')).toBe('台中市青年數位創業補助計畫')
  })

  it('knows a programme named in either writing of 台/臺 (everyday-language class)', () => {
    const registry = programmeRegistry({ programmes: [{ id: 'east', name: '東臺灣觀光數位計畫', aliases: [] }], generic: ['補助計畫'] })
    expect(programmesNamed('東台灣觀光數位計畫在哪裡辦？', registry).map((p) => p.id)).toEqual(['east'])
    expect(unknownProgrammeNamed('東台灣觀光數位計畫在哪裡辦？', registry)).toBeUndefined()
  })

  it('does not take a programme the documents only mention for the held one it resembles', () => {
    const registry = programmeRegistry({
      programmes: [{ id: 'cloud', name: '雲端點數計畫', aliases: ['雲端點數'] }],
      generic: ['補助計畫'],
      not_held: ['城市雲端點數平台'],
      not_held_shares: ['點數'],
    })
    expect(programmesNamed('城市雲端點數平台的點數一家拿多少？', registry)).toEqual([])
    expect(notHeldProgrammeNamed('城市雲端點數平台的點數一家拿多少？', registry)).toBe('城市雲端點數平台')
    expect(programmesNamed('雲端點數一家拿多少？', registry).map((p) => p.id)).toEqual(['cloud'])
    // Beside the not-held name, a word both use ("點數") names the not-held one, not the held one.
    const withShortAlias = programmeRegistry({
      programmes: [{ id: 'cloud', name: '雲端點數計畫', aliases: ['雲端點數', '點數'] }],
      generic: ['補助計畫'],
      not_held: ['城市雲端點數平台'],
      not_held_shares: ['點數'],
    })
    expect(programmesNamed('城市雲端點數平台的點數一家拿多少？', withShortAlias)).toEqual([])
    expect(programmesNamed('點數一家拿多少？', withShortAlias).map((p) => p.id)).toEqual(['cloud'])
  })

  it('reads the name after a question word, not with it (為什麼X計畫 names X計畫)', () => {
    expect(unknownProgrammeNamed('BIM是什麼？為什麼青松育成計畫要用？')).toBe('青松育成計畫')
    expect(unknownProgrammeNamed('怎麼青松育成計畫還沒公告？')).toBe('青松育成計畫')
  })

  it('knows a sub-programme and a short everyday name as their programme', () => {
    expect(programmesNamed('深科技新創協助中小微企業升級轉型計畫可以補多少？').map((p) => p.id)).toEqual(['sme-social-development'])
    expect(programmesNamed('為什麼產業聚落計畫的規劃案要做驗證？').map((p) => p.id)).toEqual(['supply-chain-ai'])
  })
})

describe('scope', () => {
  it('takes a plain digital-tools question as ours (scope class)', () => {
    expect(mentionsDomain('我們還在用傳真下訂單，這樣算電子商務嗎？')).toBe(true)
    expect(mentionsDomain('店裡的POS跟網站可以串起來嗎？')).toBe(true)
    expect(mentionsDomain('明天台北會下雨嗎？')).toBe(false)
  })

  it('takes the SME Administration by its short name 中企處 as ours (scope class)', () => {
    expect(mentionsDomain('中企處的出版品收入依哪部法律？')).toBe(true)
  })
})

describe('false premises', () => {
  it('corrects a stated share or cap that the answer gives otherwise', () => {
    expect(premiseCorrection('補助比例是80%嗎？', '政府補助比例不超過總經費的50%，其餘自籌。')).toBe('⚠️ 更正：資料上寫的是「補助比例不超過總經費的50%」，不是80%。')
    expect(premiseCorrection('上限500萬對嗎', '每案補助上限為500萬元。')).toBeUndefined()
    // The asker's own figures are no claim about the programme.
    expect(premiseCorrection('我們營收3000萬，可以申請嗎？', '每案補助上限為500萬元。')).toBeUndefined()
  })
})

describe('reading the user', () => {
  it('hears a complaint, not "unused" or a word that merely contains 幹', () => {
    expect(UNHAPPY.test('你真的好沒用')).toBe(true)
    expect(UNHAPPY.test('答非所問')).toBe(true)
    expect(UNHAPPY.test('點數沒用完可以退嗎？')).toBe(false)
    expect(UNHAPPY.test('我們沒用過ERP，可以申請嗎')).toBe(false)
    expect(UNHAPPY.test('公司幹部要參加說明會嗎')).toBe(false)
  })

  it('tells English from Chinese and from gibberish', () => {
    expect(isEnglish('How much can a small factory get?')).toBe(true)
    expect(isEnglish('請問 ERP 系統有補助嗎')).toBe(false)
    expect(isEnglish('asdf qwer zxcv')).toBe(false)
  })

  it('scores two wordings of one question as similar, unrelated ones as not', () => {
    expect(phrasingSimilarity('一家最多可以補助多少錢？', '一家最多補助多少？')).toBeGreaterThan(0.5)
    expect(phrasingSimilarity('一家最多可以補助多少錢？', '審查委員有幾位？')).toBeLessThan(0.15)
    // English function words make no two questions alike (wrong-section class: "What was the … of the …").
    expect(phrasingSimilarity('What was the approval rate of the programme in 2013?', 'What was the budget of the office in 2020?')).toBeLessThan(0.25)
    expect(phrasingSimilarity('What was the approval rate in 2013?', 'Which year had the highest approval rate?')).toBeGreaterThan(0.3)
  })
})

describe('the answer policy file', () => {
  it('is validated: a broken pattern or a missing threshold is refused, naming the field', async () => {
    const { parseAnswerPolicy } = await import('../../src/answer/policy.js')
    const policy = structuredClone((await import('../../knowledge/answer-policy.json', { with: { type: 'json' } })).default) as { thresholds: Record<string, unknown>; answer_types: { asks: { pattern: string } }[] }
    expect(() => parseAnswerPolicy(policy)).not.toThrow()
    policy.answer_types[0]!.asks.pattern = '(unclosed'
    expect(() => parseAnswerPolicy(policy)).toThrow(/answer_types\[0\]\.asks|answer_types\.0\.asks/)
    policy.answer_types[0]!.asks.pattern = 'ok'
    delete policy.thresholds.coverage
    expect(() => parseAnswerPolicy(policy)).toThrow(/thresholds.*coverage/)
  })
})
