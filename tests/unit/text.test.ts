import { describe, expect, it } from 'vitest'
import { baseForms, englishExpansions } from '../../src/knowledge/expand.js'
import { numbersAsWords, ordinalAsNumber, tokenize, wordAsNumber, words } from '../../src/knowledge/text.js'
import { coverageOf } from '../../src/answer/coverage.js'
import { expandQuery, synonymsOf } from '../../src/knowledge/expand.js'
import type { TermStatistics } from '../../src/knowledge/search.js'

describe('words and search tokens', () => {
  it('keeps a lone letter glued to a Han character as one word (E化), which the segmenter splits', () => {
    expect(words('要做E化的有幾案？')).toContain('e化')
    expect(tokenize('E化輔導')).toContain('e化')
    // Not inside a longer Latin word or after a digit.
    expect(tokenize('email化')).not.toContain('l化')
    expect(tokenize('5G化')).not.toContain('g化')
  })
})

describe('counts written with digits or Chinese numerals (everyday-language class)', () => {
  it('spells a small count before a counter out, and leaves years, decimals and amounts alone', () => {
    expect(numbersAsWords('這5年總共幾家？')).toBe('這五年總共幾家？')
    expect(numbersAsWords('每年1案、3年2案')).toBe('每年一案、三年二案')
    expect(numbersAsWords('23家')).toBe('二十三家')
    expect(numbersAsWords('113年')).toBe('113年')
    expect(numbersAsWords('98年辦了幾場')).toBe('98年辦了幾場')
    expect(numbersAsWords('2.5倍')).toBe('2.5倍')
    expect(numbersAsWords('補助5萬元')).toBe('補助5萬元')
  })

  it('reads a Chinese-numeral count back as digits, and nothing else', () => {
    expect(wordAsNumber('十年')).toBe('10年')
    expect(wordAsNumber('兩年')).toBe('2年')
    expect(wordAsNumber('二十三家')).toBe('23家')
    expect(wordAsNumber('十大')).toBeUndefined()
    expect(wordAsNumber('十幾個')).toBeUndefined()
    expect(wordAsNumber('年')).toBeUndefined()
  })

  it('reads an ordinal in Chinese numerals as digits ("第三級" asked, "第3級" written)', () => {
    expect(ordinalAsNumber('第一')).toBe('第1')
    expect(ordinalAsNumber('第十二')).toBe('第12')
    expect(ordinalAsNumber('第幾')).toBeUndefined()
    expect(ordinalAsNumber('第一線')).toBeUndefined()
  })
})

describe('characters written two ways (everyday-language class)', () => {
  it('finds a word in either writing of 台/臺 and 券/卷', () => {
    expect(expandQuery('台南的店家可以申請嗎')).toContain('臺南的店家可以申請嗎')
    expect(synonymsOf('台南')).toContain('臺南')
    expect(synonymsOf('數位券')).toContain('數位卷')
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map(), unseenIdf: 4 }
    expect(coverageOf('台南市申請了幾案？', ['臺南市申請45案'], stats).ratio).toBe(1)
    expect(synonymsOf('補助')).not.toContain('補助')
  })

  it('searches 期程 as the period a passage gives (執行期間, 輔導期間)', () => {
    expect(expandQuery('一個案子的輔導期程大概多長？')).toContain('執行期間')
    expect(expandQuery('一個案子的輔導大概多久？')).not.toContain('執行期間')
  })

  it('reads everyday English words by the Chinese the documents use (park 園區, inquiries 諮詢, cases 案)', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map(), unseenIdf: 4 }
    expect(coverageOf('How many inquiries did the startup park get?', ['新創園區提供諮詢服務共512件'], stats).ratio).toBe(1)
    expect(coverageOf('How many cases were approved?', ['共核定42案'], stats).ratio).toBe(1)
  })

  it('reads 有包含嗎 as the 包括 the documents write, and 整個期程 as their 全程', () => {
    const stats: TermStatistics = { n: 100, avgdl: 50, idf: new Map(), unseenIdf: 4 }
    expect(coverageOf('設計輔導有包含包裝設計嗎？', ['設計輔導包括包裝設計與品牌設計'], stats).ratio).toBe(1)
    expect(synonymsOf('期程')).toContain('全程')
  })
})

describe('English words in their other forms (English class)', () => {
  it('finds a plural, a possessive or a past form under its base form', () => {
    expect(baseForms('businesses')).toContain('business')
    expect(baseForms('companies')).toContain('company')
    expect(baseForms("singapore's")).toContain('singapore')
    expect(baseForms('assisted')).toContain('assist')
    expect(baseForms('reduced')).toContain('reduce')
    expect(englishExpansions('How many businesses were assisted?').length).toBeGreaterThan(0)
  })
  it('reads a word by its own entry before its base form: "leading" a transformation is 引領, not a project lead (wrong-section class)', () => {
    expect(englishExpansions('the plan for leading SME digital transformation')).toContain('引領')
    expect(englishExpansions('the plan for leading SME digital transformation')).not.toContain('主持人')
    expect(englishExpansions('Who is the project lead?')).toContain('主持人')
  })
  it('reads an approval or success rate as the documents\' 通過率 (declined-but-answerable class)', () => {
    expect(englishExpansions('What was the approval rate in 2015?')).toContain('通過率')
    expect(englishExpansions('What is the success rate of applications?')).toContain('通過率')
  })
})
