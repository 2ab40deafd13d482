import { beforeAll, describe, expect, it } from 'vitest'
import { composeEligibility, shouldAnswer } from '../src/eligibility/answer.js'
import { readQuestion } from '../src/eligibility/extract.js'
import { compare, compareRange, evaluate, windowStatus, type Facts, type RuleOutcome } from '../src/eligibility/engine.js'
import { readProgrammeRules } from '../src/eligibility/load.js'
import { findAmounts, formatMoney, parseBareCount, parseChineseInteger } from '../src/eligibility/numbers.js'
import { parseProgrammeRules, type ProgrammeRules } from '../src/eligibility/rules.js'
import { DataFileError } from '../src/data-file.js'
import { loadKnowledgeDir } from '../src/knowledge/ingest.js'
import { KNOWLEDGE_DIR } from '../src/knowledge/setup.js'
import { readDefinition } from '../src/assessment/load.js'
import { sourceName } from '../src/knowledge/sources.js'

/** Today, for the windows: the seeds' 113年 (2024) windows are long closed. */
const NOW = new Date('2026-11-22T10:00:00+08:00')
const 億 = 100_000_000

let rules: ProgrammeRules
beforeAll(async () => {
  rules = await readProgrammeRules()
})

const exact = (n: number) => ({ min: n, max: n })
/** Facts that meet every rule, to vary one at a time. */
const FULL: Facts = {
  industry: 'manufacturing',
  employees: exact(50),
  capital: exact(5_000 * 10_000),
  revenue: exact(2 * 億),
  factory: 'registered',
  registration: 'company',
  chineseInvestment: false,
  positiveNetWorth: true,
  priorFunding: [],
  checks: { planningReport: true, successor: true, boardBlueprint: true },
}

function outcome(programme: string, track: string, rule: string, facts: Facts): RuleOutcome {
  const e = evaluate(rules, facts, NOW, { programmes: [programme], tracks: [track] })[0]!
  const r = e.results.find((x) => x.rule.id === rule)
  if (!r) throw new Error(`no rule ${programme}/${track}/${rule}`)
  return r.outcome
}

describe('the programme rules file', () => {
  it('is valid, and every rule cites a knowledge document that exists', async () => {
    const loaded = await loadKnowledgeDir(KNOWLEDGE_DIR)
    const ids = new Set(loaded.documents.map((d) => d.meta.id))
    const cited = rules.programmes.flatMap((p) => [
      p.document,
      p.window.source.document,
      ...[...p.rules, ...p.tracks.flatMap((t) => t.rules)].flatMap((r) => [r.source.document, ...(r.alternative ? [r.alternative.source.document] : [])]),
    ])
    const def = await readDefinition()
    cited.push(def.levels_document, def.tool_categories_document)
    expect(cited.filter((id) => !ids.has(id))).toEqual([])
    // Every rule names a source document users can look up by its real title.
    for (const p of rules.programmes) for (const r of [...p.rules, ...p.tracks.flatMap((t) => t.rules)]) expect(sourceName(r.source.seed ?? 'none'), `${p.id}/${r.id}`).not.toMatch(/seed|^\d+$/)
  })

  it('rejects a broken file, naming the field', () => {
    const bad = (text: string) => () => parseProgrammeRules(text, 'x.yaml')
    expect(bad('version: [')).toThrow(DataFileError)
    const base = {
      version: 'v',
      funding_schemes: [{ id: 'a', name: '某補助', aliases: ['某'] }],
      programmes: [
        {
          id: 'p',
          name: '某計畫',
          short_name: '某計畫',
          aliases: ['某計畫'],
          document: 'doc',
          window: { wording: '尚未公告', source: { document: 'doc', seed: '003', section: '壹、比較' } },
          tracks: [{ id: 't', name: '規劃案', benefit: '上限500萬元' }],
          rules: [{ id: 'r', label: '營收', test: { kind: 'threshold', fact: 'revenue', comparison: '以下', value: 1 }, wording: '營收1元以下', explain: '很小', source: { document: 'doc', seed: '003', section: '壹、比較' } }],
        },
      ],
    }
    expect(() => parseProgrammeRules(JSON.stringify(base))).not.toThrow()
    const withRule = (rule: Record<string, unknown>) => JSON.stringify({ ...base, programmes: [{ ...base.programmes[0], rules: [{ ...base.programmes[0]!.rules[0], ...rule }] }] })
    expect(bad(withRule({ test: { kind: 'threshold', fact: 'revenue', comparison: '少於', value: 1 } }))).toThrow(/comparison/)
    expect(bad(withRule({ test: { kind: 'funding', banned: ['nope'], unlisted: 'pass' } }))).toThrow(/unknown funding scheme "nope"/)
    expect(bad(withRule({ alternative: { test: { kind: 'flag', fact: 'midsize', expect: true }, wording: '另一說', source: { document: 'doc', seed: '003', section: '肆' } } }))).toThrow(/conflict/)
    // What the documents ask of a firm is kept only for a value the rule allows.
    expect(bad(withRule({ test: { kind: 'one-of', fact: 'factory', allowed: ['registered'], provided: { exempt: '附證明' } } }))).toThrow(/provided/)
  })
})

describe('every rule in the file', () => {
  it('passes for a firm that meets everything, and needs checking when nothing is known', () => {
    for (const e of evaluate(rules, FULL, NOW, { programmes: ['supply-chain-ai', 'succession-dx', 'cloud-marketplace'] })) {
      expect(e.results.filter((r) => r.outcome !== 'pass').map((r) => `${e.programme.id}/${e.track.id}/${r.rule.id}`)).toEqual([])
      expect(e.verdict).toBe('eligible')
    }
    for (const e of evaluate(rules, {}, NOW)) {
      expect(e.results.filter((r) => r.outcome !== 'unknown').map((r) => r.rule.id)).toEqual([])
      expect(e.verdict).toBe('needs-checking')
    }
  })
})

describe('comparison words, exactly as the documents use them', () => {
  it('以下 and 以上 include the threshold, 未滿 and 超過 do not', () => {
    expect([compare(200, '以下', 200), compare(200, '未滿', 200), compare(200, '超過', 200), compare(200, '以上', 200)]).toEqual([true, false, false, true])
    expect([compare(199, '未滿', 200), compare(201, '超過', 200)]).toEqual([true, true])
  })
  it('a range straddling the threshold needs checking', () => {
    expect(compareRange({ min: 200, max: null }, '未滿', 200)).toBe('fail')
    expect(compareRange({ min: 200, max: null }, '以下', 200)).toBe('unknown')
    expect(compareRange({ min: 100, max: 199 }, '未滿', 200)).toBe('pass')
    expect(compareRange({ min: 0, max: null }, '以上', 0)).toBe('pass')
  })
})

describe('產業聚落供應鏈AI計畫', () => {
  const o = (rule: string, facts: Facts, track = 'planning') => outcome('supply-chain-ai', track, rule, facts)
  it('合併營收30億元以下, 中堅企業放寬至100億元以下', () => {
    expect(o('revenue', { ...FULL, revenue: exact(30 * 億) })).toBe('pass')
    expect(o('revenue', { ...FULL, revenue: exact(30 * 億 + 1), midsize: false })).toBe('fail')
    expect(o('revenue', { ...FULL, revenue: exact(50 * 億) })).toBe('unknown') // 中堅 not known
    expect(o('revenue', { ...FULL, revenue: exact(100 * 億), midsize: true })).toBe('pass')
    expect(o('revenue', { ...FULL, revenue: exact(100 * 億 + 1), midsize: true })).toBe('fail')
    expect(o('revenue', { ...FULL, revenue: exact(101 * 億) })).toBe('fail')
    expect(o('revenue', { ...FULL, revenue: undefined })).toBe('unknown')
  })
  it('以製造業為限, with a factory registration (or a certified exemption)', () => {
    expect(o('manufacturing', { ...FULL, industry: 'services' })).toBe('fail')
    expect(o('factory', { ...FULL, factory: 'exempt' })).toBe('pass')
    expect(o('factory', { ...FULL, factory: 'none' })).toBe('fail')
  })
  it('公司登記或有限合夥登記 vs 依法登記公司: a limited partnership needs checking, branches never', () => {
    expect(o('registration', { ...FULL, registration: 'company' })).toBe('pass')
    expect(o('registration', { ...FULL, registration: 'limited-partnership' })).toBe('unknown')
    expect(o('registration', { ...FULL, registration: 'business' })).toBe('fail')
    expect(o('not-branch', { ...FULL, registration: 'branch' })).toBe('fail')
  })
  it('淨值為正, 非陸資, and no 低碳化、智慧化升級轉型 grant', () => {
    expect(o('net-worth', { ...FULL, positiveNetWorth: false })).toBe('fail')
    expect(o('no-chinese-investment', { ...FULL, chineseInvestment: true })).toBe('fail')
    expect(o('no-double-funding', { ...FULL, priorFunding: ['post-pandemic-upgrade'] })).toBe('fail')
    expect(o('no-double-funding', { ...FULL, priorFunding: ['cloud-marketplace'] })).toBe('pass')
    expect(o('no-double-funding', { ...FULL, priorFunding: undefined })).toBe('unknown')
  })
  it('建置案 needs the planning report (or a POC report); 規劃案 does not', () => {
    expect(o('planning-report', { ...FULL, checks: {} }, 'build')).toBe('unknown')
    expect(o('planning-report', FULL, 'build')).toBe('pass')
    const tracks = evaluate(rules, { ...FULL, checks: {} }, NOW, { programmes: ['supply-chain-ai'] })
    expect(tracks.map((t) => [t.track.id, t.verdict])).toEqual([['planning', 'eligible'], ['build', 'needs-checking']])
  })
  it('says the 113/05/02-113/06/17 window is closed', () => {
    const p = rules.programmes.find((x) => x.id === 'supply-chain-ai')!
    expect(windowStatus(p, NOW).state).toBe('closed')
    expect(windowStatus(p, new Date('2024-06-17T23:59:00+08:00')).state).toBe('open')
    expect(windowStatus(p, new Date('2024-06-18T00:00:01+08:00')).state).toBe('closed')
    expect(windowStatus(p, new Date('2024-05-01T23:59:00+08:00')).state).toBe('upcoming')
  })
})

describe('接班傳承數位轉型計畫', () => {
  const o = (rule: string, facts: Facts, track = 'planning') => outcome('succession-dx', track, rule, facts)
  it('合併營收20億元以下, 中堅企業放寬至100億元以下', () => {
    expect(o('revenue', { ...FULL, revenue: exact(20 * 億) })).toBe('pass')
    expect(o('revenue', { ...FULL, revenue: exact(20 * 億 + 1), midsize: false })).toBe('fail')
    expect(o('revenue', { ...FULL, revenue: exact(20 * 億 + 1), midsize: true })).toBe('pass')
    expect(o('revenue', { ...FULL, revenue: { min: 1 * 億 + 1, max: 20 * 億 } })).toBe('pass') // the assessment's range option
  })
  it('已辦理工廠登記: an exemption is not mentioned, so it needs checking', () => {
    expect(o('factory', { ...FULL, factory: 'exempt' })).toBe('unknown')
    expect(o('factory', { ...FULL, factory: 'none' })).toBe('fail')
  })
  it('公司登記或商業登記 vs 依法登記公司: a 行號 needs checking', () => {
    expect(o('registration', { ...FULL, registration: 'business' })).toBe('unknown')
    expect(o('registration', { ...FULL, registration: 'limited-partnership' })).toBe('fail')
  })
  it('no 雲世代 grant at the same time, except the cloud-marketplace points', () => {
    expect(o('no-double-funding', { ...FULL, priorFunding: ['cloud-marketplace'] })).toBe('pass')
    expect(o('no-double-funding', { ...FULL, priorFunding: ['taiwan-cloud-marketplace'] })).toBe('pass')
    expect(o('no-double-funding', { ...FULL, priorFunding: ['cloud-generation-dx'] })).toBe('fail')
    expect(o('no-double-funding', { ...FULL, priorFunding: ['supply-chain-ai'] })).toBe('unknown')
  })
  it('以製造業為限, 淨值為正, 非陸資', () => {
    expect(o('manufacturing', { ...FULL, industry: 'wholesale-retail' })).toBe('fail')
    expect(o('net-worth', { ...FULL, positiveNetWorth: false })).toBe('fail')
    expect(o('no-chinese-investment', { ...FULL, chineseInvestment: true })).toBe('fail')
    expect(o('no-chinese-investment', { ...FULL, chineseInvestment: false })).toBe('pass')
  })
  it('the successor leads the project; 實踐案 also needs a board-approved blueprint', () => {
    expect(o('successor', { ...FULL, checks: { successor: false } })).toBe('fail')
    expect(o('board-blueprint', { ...FULL, checks: { successor: true } }, 'practice')).toBe('unknown')
    expect(evaluate(rules, FULL, NOW, { programmes: ['succession-dx'] }).map((t) => t.verdict)).toEqual(['eligible', 'eligible'])
  })
  it('has no announced window', () => {
    expect(windowStatus(rules.programmes.find((x) => x.id === 'succession-dx')!, NOW).state).toBe('not-announced')
  })
})

describe('雲市集工業館數位點數補助計畫', () => {
  const o = (rule: string, facts: Facts) => outcome('cloud-marketplace', 'points', rule, facts)
  it('實收資本額1億元以下 or fewer than 200 employees — and the seeds disagree at exactly 200', () => {
    expect(o('sme', { ...FULL, capital: exact(億), employees: exact(300) })).toBe('pass')
    expect(o('sme', { ...FULL, capital: exact(億 + 1), employees: exact(199) })).toBe('pass')
    expect(o('sme', { ...FULL, capital: exact(億 + 1), employees: exact(200) })).toBe('unknown') // 未滿兩百人 vs 200人以下
    expect(o('sme', { ...FULL, capital: exact(億 + 1), employees: exact(201) })).toBe('fail')
    expect(o('sme', { ...FULL, capital: undefined, employees: exact(80) })).toBe('pass')
    expect(o('sme', { ...FULL, capital: undefined, employees: exact(250) })).toBe('unknown')
    expect(o('sme', { ...FULL, capital: exact(2 * 億), employees: { min: 200, max: null } })).toBe('unknown')
    const e = evaluate(rules, { ...FULL, capital: exact(2 * 億), employees: exact(200) }, NOW, { programmes: ['cloud-marketplace'] })[0]!
    expect(e.results.find((r) => r.rule.id === 'sme')!.because).toEqual({ type: 'conflict', primary: 'fail', alternative: 'pass' })
  })
  it('公司登記或商業登記, no branches, 製造業 with a factory registration, 非陸資', () => {
    expect(o('registration', { ...FULL, registration: 'business' })).toBe('pass')
    expect(o('registration', { ...FULL, registration: 'limited-partnership' })).toBe('fail')
    expect(o('not-branch', { ...FULL, registration: 'branch' })).toBe('fail')
    expect(o('manufacturing', { ...FULL, industry: 'food-lodging' })).toBe('fail')
    expect(o('factory', { ...FULL, factory: 'exempt' })).toBe('pass')
    expect(o('no-chinese-investment', { ...FULL, chineseInvestment: true })).toBe('fail')
    expect(evaluate(rules, FULL, NOW, { programmes: ['cloud-marketplace'] })[0]!.verdict).toBe('eligible')
  })
  it('says the 113/04/30-113/08/30 window is closed', () => {
    const p = rules.programmes.find((x) => x.id === 'cloud-marketplace')!
    expect(windowStatus(p, NOW)).toEqual({ state: 'closed', opens: '2024-04-30', closes: '2024-08-30' })
    expect(windowStatus(p, new Date('2024-08-30T23:59:59+08:00')).state).toBe('open')
  })
})

describe('reading amounts as owners write them', () => {
  it('Chinese numerals', () => {
    expect(['八十', '兩百', '一百五', '兩百零五', '三千五', '十五'].map(parseChineseInteger)).toEqual([80, 200, 150, 205, 3500, 15])
  })
  it('money and people, exact, approximate and bounded', () => {
    const found = findAmounts('資本額5,000萬、營收1億2千萬，員工兩百多人，不到200人，30億以下，超過1億')
    expect(found.map((a) => [a.kind, a.range.min, a.range.max])).toEqual([
      ['money', 5e7, 5e7],
      ['money', 1.2e8, 1.2e8],
      ['people', 200, 299],
      ['people', 0, 199],
      ['money', 0, 3e9],
      ['money', 1e8 + 1, null],
    ])
    expect(parseBareCount('35')).toEqual({ min: 35, max: 35 })
    expect(parseBareCount('八十幾')).toEqual({ min: 80, max: 89 })
    expect([formatMoney(3e9), formatMoney(5e7), formatMoney(1.2e8)]).toEqual(['30億元', '5,000萬元', '1.2億元'])
  })
})

describe('reading a free question into facts', () => {
  const read = (q: string) => readQuestion(q, rules)
  it('the issue example: 80 人的食品廠 asking about 雲市集點數', () => {
    const r = read('我們 80 人的食品廠可以申請雲市集點數嗎?')
    expect(r.facts).toEqual({ employees: exact(80), industry: 'manufacturing' })
    expect(r.programmes).toEqual(['cloud-marketplace'])
    expect(shouldAnswer(r)).toBe(true)
  })
  it('revenue, programme and track; a grant already held is not the programme asked about', () => {
    const q16 = read('我們是中部的五金製造廠，合併營收18億，符合接班傳承數位轉型計畫的門檻嗎？')
    expect([q16.facts.revenue, q16.facts.industry, q16.programmes]).toEqual([exact(18 * 億), 'manufacturing', ['succession-dx']])
    const q21 = read('已經有用雲市集數位點數，還可以同時申請接班傳承計畫嗎？')
    expect([q21.facts.priorFunding, q21.programmes]).toEqual([['cloud-marketplace'], ['succession-dx']])
    const q13 = read('之前已經拿過疫後特別條例的低碳化、智慧化升級轉型補助，還能申請供應鏈AI嗎？')
    expect([q13.facts.priorFunding, q13.programmes]).toEqual([['post-pandemic-upgrade'], ['supply-chain-ai']])
    const build = read('資本額5000萬、營收3億的工廠，供應鏈AI建置案能申請嗎')
    expect([build.facts.capital, build.facts.revenue, build.tracks]).toEqual([exact(5e7), exact(3e8), ['build']])
  })
  it('negations and registrations', () => {
    expect(read('我們不是陸資，沒有工廠登記，是分公司，可以申請雲市集嗎').facts).toMatchObject({ chineseInvestment: false, factory: 'none', registration: 'branch' })
    expect(read('我們是中堅企業，營收60億，能申請供應鏈AI嗎').facts).toMatchObject({ midsize: true, revenue: exact(60 * 億) })
    expect(read('我們是行號，免辦工廠登記，可以申請接班傳承嗎').facts).toMatchObject({ registration: 'business', factory: 'exempt' })
    expect(read('我們不是製造業，可以申請雲市集嗎').facts.industry).toBe('other')
    expect(read('我們營收40億，不算中堅企業，能申請供應鏈AI嗎').facts.midsize).toBe(false)
  })
  it('reads what the business does in everyday words, and that it is not something', () => {
    expect(read('我們三個人接案寫APP跟架網站，可以申請哪些？').facts.industry).toBe('software-it')
    expect(read('家裡開早餐店，請兩個工讀生').facts.industry).toBe('food-lodging')
    expect(read('我在巷口開髮廊').facts.industry).toBe('personal-services')
    expect(read('我們做貨運和倉儲').facts.industry).toBe('logistics')
    expect(read('我們是做汽車零件的鐵工廠').facts.industry).toBe('manufacturing')
    expect(read('我們不是工廠，是一家服飾店').facts.industry).toBe('wholesale-retail')
    expect(read('公司不算製造業').facts.industry).toBe('other')
    // 廠商 and 工廠登記 are no factory
    expect(read('我們是軟體廠商，沒有工廠登記').facts).toMatchObject({ industry: 'software-it', factory: 'none' })
  })
  it('a grant the firm never had is not a grant it has', () => {
    const never = read('之前從來沒有申請過雲市集，也沒拿過低碳化智慧化升級轉型補助，可以申請供應鏈AI嗎')
    expect([never.facts.priorFunding, never.programmes]).toEqual([[], ['supply-chain-ai']])
    expect(read('我們尚未獲得疫後特別條例的補助，能申請供應鏈AI嗎').facts.priorFunding).toEqual([])
    expect(read('去年拿過雲市集的點數，還能申請接班傳承嗎').facts.priorFunding).toEqual(['cloud-marketplace'])
  })
  it('reads the county or city, written with 臺', () => {
    expect(read('我們在台南開店').facts.region).toBe('臺南市')
    expect(read('花蓮的民宿可以申請嗎').facts).toMatchObject({ region: '花蓮縣', industry: 'food-lodging' })
  })
  it('leaves other questions to retrieval', () => {
    expect(shouldAnswer(read('雲市集點數最多補助多少？'))).toBe(false)
    expect(shouldAnswer(read('申請雲市集要準備什麼？'))).toBe(false)
    expect(shouldAnswer(read('我們30人可以申請青年創業貸款嗎？'))).toBe(false)
    // what the rules do not decide: a partner role's requirements, applying again, a web address
    expect(shouldAnswer(read('我們是雲端服務供應商，想在雲市集上架，供應商需要什麼條件？'))).toBe(false)
    expect(shouldAnswer(read('我們是30人的工廠，前年用過即時技術輔導，今年可以再申請嗎？'))).toBe(false)
    expect(read('接班傳承計畫要在哪個網站申請？').facts.industry).toBeUndefined()
    expect(shouldAnswer(read('30人以下的數位人培去年開了幾門課？有多少家申請？'))).toBe(false)
    expect(shouldAnswer(read('80人的工廠雲端點數最多可以拿多少？'))).toBe(false)
    // Whether the grant grows ("可以多補助嗎", "有加碼嗎") is a question about the grant, not about qualifying.
    expect(shouldAnswer(read('我們是20人的包裝設計公司，雲市集點數如果買兩套方案可以多補助嗎？'))).toBe(false)
    // What to hand in is a question of process: the documents answer it, not the rules.
    expect(shouldAnswer(read('我們是台東的30人食品廠，申請雲市集點數要附哪些證明文件才能申請？'))).toBe(false)
    // a figure asked in the clause that says 可以補助 is an amount question; a head count (幾十人) is a fact
    expect(shouldAnswer(read('50人以下數位人培的課，一位學員可以補助多少錢？'))).toBe(false)
    expect(shouldAnswer(read('我們員工幾十人，可以申請雲市集點數嗎？'))).toBe(true)
    // whether one must apply at all is a process question for the documents
    expect(shouldAnswer(read('我們是30人的工廠，雲市集點數要自己去申請嗎？'))).toBe(false)
    expect(shouldAnswer(read('我們是30人的餐廳，可以申請什麼補助？'))).toBe(true)
    expect(shouldAnswer(read('剛好200人的工廠能拿雲市集點數嗎'))).toBe(true)
  })
})

describe('the eligibility answer text', () => {
  const cite = (n: number, title: string) => ({ n, documentId: 'd', chunkHash: '', title, headingPath: [], kind: 'programme', status: 'closed', sourceDate: '2024-05', windowCloses: null })
  it('names each rule outcome, the disagreement, the window and the sources', () => {
    const reading = readQuestion('我們員工剛好200人、資本額2億的工廠，可以申請雲市集嗎？', rules)
    const evals = evaluate(rules, reading.facts, NOW, { programmes: reading.programmes })
    const { body, more } = composeEligibility(reading, evals, rules, [cite(1, '雲市集工業館數位點數補助計畫：資格')])
    expect(body).toContain('【雲市集工業館數位點數】⚠️ 需要再確認〔1〕')
    expect(body).toContain('未滿兩百人')
    expect(body).toContain('200人以下')
    expect(body).toContain('❔ 還需確認：')
    expect(body).toContain('已截止')
    expect(more).toContain('原文：「以製造業為限」')
    expect(more).toContain('〔1〕雲市集工業館數位點數補助計畫：資格')
  })
  it('says what a condition met by an allowed exception then asks of the firm (免辦工廠登記 → the certificate)', () => {
    const exempt = readQuestion('我們工廠依法免辦工廠登記，可以申請雲市集工業館嗎？', rules)
    const body = composeEligibility(exempt, evaluate(rules, exempt.facts, NOW, { programmes: exempt.programmes }), rules, []).body
    expect(body).toMatch(/✅ 工廠登記：[^\n]*免辦[^\n]*（[^\n]*證明文件）/)
    const registered = readQuestion('我們工廠有工廠登記，可以申請雲市集工業館嗎？', rules)
    expect(composeEligibility(registered, evaluate(rules, registered.facts, NOW, { programmes: registered.programmes }), rules, []).body).not.toContain('證明文件')
  })
  it('keeps the conditions left to confirm to a few on the phone screen, every one of them behind 看更多', () => {
    const reading = readQuestion('我們是做室內設計的服務業小公司，可以申請即時技術輔導嗎？', rules)
    const evals = evaluate(rules, reading.facts, NOW, { programmes: reading.programmes })
    const { body, more } = composeEligibility(reading, evals, rules, [])
    const line = body.split('\n').find((l) => l.startsWith('❔ 還需確認：'))!
    const listed = line.replace(/^❔ 還需確認：/, '').replace(/等 \d+ 項$/, '').split('、')
    expect(listed.length).toBeLessThanOrEqual(4)
    const left = evals.flatMap((e) => e.results.filter((r) => r.outcome === 'unknown').map((r) => r.rule.label))
    expect(line).toContain(`等 ${new Set(left).size} 項`)
    // The same check in several tracks is one item, not one per track.
    expect(new Set(listed).size).toBe(listed.length)
    for (const label of left) expect(more).toContain(label)
  })
  it('says why a programme is out of reach, and that the cloud-marketplace points are excepted', () => {
    const food = readQuestion('我們是30人的餐廳，可以申請什麼補助？', rules)
    const { body } = composeEligibility(food, evaluate(rules, food.facts, NOW), rules, [])
    // the manufacturing-only programmes are counted, not listed; what may fit comes first
    expect(body).toMatch(/另有 \d+ 個計畫不符合（多因「製造業」）/)
    expect(body).not.toContain('❌')
    const why = readQuestion('我們是30人的餐廳，哪些計畫不符合？', rules)
    expect(composeEligibility(why, evaluate(rules, why.facts, NOW), rules, []).body.match(/不符合「以製造業為限」/g)).toHaveLength(3)
    const q21 = readQuestion('已經有用雲市集數位點數，還可以同時申請接班傳承計畫嗎？', rules)
    expect(composeEligibility(q21, evaluate(rules, q21.facts, NOW, { programmes: q21.programmes }), rules, []).body).toMatch(/雲市集.*不在此限/)
    // A rule the firm fails is quoted as the documents word it, right under its ❌ line.
    const big = readQuestion('我們是做塑膠射出的製造業，合併營收35億，不是中堅企業，可以申請產業聚落供應鏈AI計畫嗎？', rules)
    const bigEvals = evaluate(rules, big.facts, NOW, { programmes: big.programmes })
    const failed = bigEvals.flatMap((e) => e.results.filter((r) => r.outcome === 'fail'))
    expect(failed.length).toBeGreaterThan(0)
    const bigBody = composeEligibility(big, bigEvals, rules, []).body
    for (const r of failed) expect(bigBody).toContain(`❌ ${r.rule.label}`)
    expect(bigBody).toContain(`規定原文：「${failed[0]!.rule.wording}」`)
    // Rules that pass or are left to check are not quoted: the bubble stays short.
    expect(bigBody.match(/規定原文/g)).toHaveLength(new Set(failed.map((r) => r.rule.wording)).size)
    const q13 = readQuestion('之前已經拿過疫後特別條例的低碳化、智慧化升級轉型補助，還能申請供應鏈AI嗎？', rules)
    expect(composeEligibility(q13, evaluate(rules, q13.facts, NOW, { programmes: q13.programmes }), rules, []).body).toMatch(/❌ 不符合[\s\S]*不得申請/)
  })
})
