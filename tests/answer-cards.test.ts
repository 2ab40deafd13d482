import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderAnswer } from '../src/answer/render.js'
import { programmeRegistry } from '../src/answer/programmes.js'
import { answerQuestion, UNKNOWN_PROGRAMME_TEXT, type AnswerDeps } from '../src/answer/service.js'
import { migrate } from '../src/db/migrator.js'
import { readMigrations } from '../src/db/migrations-fs.js'
import { openPglite } from '../src/db/pglite.js'
import type { Database } from '../src/db/types.js'
import { LocalHashEmbedder } from '../src/knowledge/embedder.js'
import { syncKnowledgeDir } from '../src/knowledge/ingest.js'
import { INTERNAL_WORDS } from '../src/knowledge/lint.js'

// Every question here is made up for its class of question; none comes from an eval file.
const FIXTURES = join(import.meta.dirname, 'fixtures', 'knowledge')
const NOW = new Date('2026-11-22T08:00:00Z')

let database: Database
let deps: AnswerDeps

beforeAll(async () => {
  database = await openPglite('memory://')
  await migrate(database.db, await readMigrations())
  await syncKnowledgeDir(database.db, new LocalHashEmbedder(), FIXTURES)
  const programmes = programmeRegistry({
    programmes: [
      { id: 'fixture-store', name: '測試用智慧商店補助計畫', aliases: ['智慧商店'] },
      { id: 'fixture-cloud', name: '測試用雲端點數計畫', aliases: ['雲端點數'] },
      { id: 'fixture-assist', name: '測試用技術輔導計畫', aliases: ['技術輔導'] },
    ],
    generic: ['補助計畫', '這個計畫'],
    other_agencies: ['文化部', '市政府', '縣政府'],
    own_agencies: ['中小企業處'],
  })
  deps = { db: database.db, embedder: new LocalHashEmbedder(), programmes }
})
afterAll(async () => {
  await database?.close()
})

const ask = (question: string, previousQuestion?: string) => answerQuestion(deps, { question, previousQuestion, now: NOW })
/** Asks, and expects an answer (not a decline) before its text is looked at. */
const answered = async (question: string, previousQuestion?: string) => {
  const a = await ask(question, previousQuestion)
  expect(a.status).toBe('answered')
  return a
}

describe('answer cards (length class)', () => {
  it("leads with the section's card, cited, and keeps the passage behind 看更多", async () => {
    const a = await answered('智慧商店計畫一間店最多可以補助多少錢？')
    expect(a.body.startsWith('測試用智慧商店補助計畫每家最高補助30萬元')).toBe(true)
    expect(a.body).toContain('〔1〕')
    expect(Array.from(a.body).length).toBeLessThanOrEqual(300)
    expect(a.more).toContain('驗收後一次撥付')
    expect(a.citations[0]!.documentId).toBe('fixture-smart-store')
  })

  it('adds the sentence that holds what the lead lacks', async () => {
    const a = await answered('智慧商店計畫的補助款什麼時候撥下來？要附什麼證明？')
    expect(a.body).toContain('驗收')
    expect(a.body).toContain('發票')
  })

  it('gives what a programme does, not only its figures, when that is asked (wrong-section class)', async () => {
    const a = await answered('創客共創計畫主要是在做什麼的？')
    expect(a.body.startsWith('測試用創客共創計畫本年度編列3,200萬元')).toBe(true)
    expect(a.body).toContain('媒合中小企業與大專院校的創客社群')
    // A figure asked for is answered by the lead alone.
    const budget = await ask('創客共創計畫預算多少？')
    expect(budget.body).not.toContain('媒合中小企業')
  })

  it('reads the agency before a name as who runs it, not as part of the name (declined-but-answerable class)', async () => {
    // The documents write 創客共創計畫; "中小企業處" is the office running it.
    const a = await answered('中小企業處創客共創計畫本年度編了多少經費？')
    expect(a.body).toContain('3,200萬元')
  })

  it('finds a section by the everyday words of its phrasings (declined-but-answerable class)', async () => {
    const a = await answered('我開小吃店，可以申請智慧商店計畫嗎？')
    expect(a.body).toContain('餐飲業')
  })
})

describe('two-part questions', () => {
  it('answer each part from the section that holds it, each cited', async () => {
    const a = await answered('智慧商店計畫一家最多補多少錢？另外員工要有幾個人才能申請？')
    expect(a.body).toContain('30萬元')
    expect(a.body).toContain('5人以上')
    expect(a.citations.length).toBeGreaterThanOrEqual(2)
  })
})

describe('programme identity (wrong-programme class)', () => {
  it("never answers about one programme with another programme's facts", async () => {
    const a = await ask('智慧商店計畫的點數一家最多可以拿幾點？')
    expect(a.citations.map((c) => c.documentId)).not.toContain('fixture-cloud-points')
    expect(a.body).not.toContain('20萬點')
  })

  it('says the knowledge base lacks a programme it does not hold, and offers a consultant', async () => {
    const a = await ask('青年築夢創業計畫的補助上限是多少？')
    expect(a.status).toBe('not-covered')
    expect(a.text).toBe(UNKNOWN_PROGRAMME_TEXT)
    expect(renderAnswer(a, 'x')[0]).toMatchObject({ quickReply: { items: expect.arrayContaining([expect.objectContaining({ action: expect.objectContaining({ label: '找真人顧問' }) })]) } })
  })

  it("does not answer for a programme another programme's rules only mention", async () => {
    // The sources hold no cap of 海外拓銷計畫; the 10% is the technical-assistance programme's bonus.
    const a = await ask('XPORT海外拓銷計畫一家最多補助多少？')
    expect(a.status).not.toBe('answered')
    expect(a.text).not.toContain('10%')
    // Asked about the programme that holds the rule, the same fact is the answer.
    const b = await answered('技術輔導計畫對海外拓銷計畫輔導過的產品可以加碼多少？')
    expect(b.body).toContain('10%')
  })

  it('knows a programme called by a short form of its name (programme identity class)', async () => {
    // "技輔" keeps 技 and 輔 of 技術輔導: no alias lists it, and it is no programme the knowledge base lacks.
    const a = await answered('技輔計畫的差旅費最多可以占總經費幾%？')
    expect(a.body).toContain('15%')
    expect(a.citations[0]!.documentId).toBe('fixture-assistance')
  })

  it('says the knowledge base lacks a subsidy an agency runs that it does not hold', async () => {
    const a = await ask('勞動部的員工數位技能補助一家可以領多少？')
    expect(a.text).toBe(UNKNOWN_PROGRAMME_TEXT)
    // An agency whose programmes the knowledge base does not hold, however the subsidy is described.
    expect((await ask('文化部那邊給小店的數位補助，一家最多補多少？')).text).toBe(UNKNOWN_PROGRAMME_TEXT)
    // A city's own subsidy, however generic its name.
    expect((await ask('台中市政府自己有沒有補助計畫？每家最高補助多少？')).text).toBe(UNKNOWN_PROGRAMME_TEXT)
  })

  it("does not set another programme's passage beside the main one; it waits behind 看更多", async () => {
    const a = await answered('公司員工要有幾個人才能申請？')
    expect(new Set(a.citations.map((c) => c.documentId)).size).toBe(1)
    expect(a.more).toContain('5人以上')
  })

  it('answers whether two programmes combine only from lines that speak of both', async () => {
    // The cloud-points rules name the assistance programme: that is the answer.
    const a = await answered('雲端點數計畫跟技術輔導計畫可以同時申請嗎？')
    expect(a.body).toContain('不衝突')
    // Nothing names these two together; the smart-store rule against 重複申請 says nothing of the other.
    const b = await ask('智慧商店計畫跟技術輔導計畫可以同時申請嗎？')
    expect(b.status).not.toBe('answered')
  })

  it("a follow-up that names no programme keeps the previous question's (follow-up class)", async () => {
    const a = await ask('那申請資格是什麼？', '雲端點數計畫一家最多拿多少？')
    expect(a.status).toBe('answered')
    expect(a.citations[0]!.documentId).toBe('fixture-cloud-points')
    const b = await ask('申請資格是什麼？', '智慧商店計畫一家最多補多少？')
    expect(b.citations[0]!.documentId).toBe('fixture-smart-store')
  })
})

describe('a kind of fact asked for (answered-unanswerable class)', () => {
  it('must be in the sentence that speaks of what is asked, not in a neighbouring one', async () => {
    // The share given is the travel costs'; the insurance sentence gives none.
    const a = await ask('技術輔導計畫的保險費最多可以占總經費幾%？')
    expect(a.status).not.toBe('answered')
    expect(a.text).not.toContain('15%')
    const b = await answered('技術輔導計畫的差旅費最多可以占總經費幾%？')
    expect(b.body).toContain('15%')
  })

  it('a subsidy for a thing no source names is declined, not answered with some programme\'s share', async () => {
    // Nothing in the sources pays for drones; the 30萬元 and 70% are the smart-store subsidy's, for POS.
    const a = await ask('店裡想買無人機拍宣傳片，政府有補助嗎？補助多少？')
    expect(a.status).toBe('not-covered')
    expect(a.text).not.toMatch(/30萬元|70%/u)
    // A thing the sources do name is answered, whichever programme pays for it.
    const b = await answered('店裡想導入POS，政府有補助嗎？補助多少？')
    expect(b.body).toContain('30萬元')
    // Asked in English, the thing is what the subsidy is for.
    expect((await ask('Is there a subsidy for drones in a restaurant or retail shop, and how much per shop?')).status).toBe('not-covered')
    expect((await ask('Is there a subsidy for POS systems in a shop?')).status).toBe('answered')
  })

  it('a fee is answered by a sum beside what is paid, not by what a point is worth', async () => {
    // "1點折抵1元" prices a point; the sources name no monthly fee.
    const a = await ask('雲端點數計畫的點數，企業要另外付多少月費？')
    expect(a.status).not.toBe('answered')
    expect(a.text).not.toContain('1元')
  })

  it('a choice between two things is answered only by lines that name one of them', async () => {
    // The sources say what acceptance needs (發票), not in which form.
    const a = await ask('智慧商店計畫驗收時的發票要附正本還是影本？')
    expect(a.status).not.toBe('answered')
    // Named by the lines, the choice is answered.
    const b = await answered('智慧商店計畫是補助餐飲業還是製造業？')
    expect(b.body).toContain('餐飲業')
    // A direction ("變多還是變少") is answered by the figures themselves.
    expect((await ask('雲端點數計畫MES跟CRM的採用家數，哪個比較多？是變多還是變少？')).status).toBe('answered')
  })

  it('a page count or limit is answered only by a figure of pages', async () => {
    // The sources give the subsidy's caps and shares, never the length of an application.
    const a = await ask('智慧商店計畫的申請書最多可以寫幾頁？')
    expect(a.status).not.toBe('answered')
    expect(a.text).not.toContain('30萬元')
  })
})

describe('scope', () => {
  it('names who answers a labour-law or tax question instead of answering from a passage that shares a word', async () => {
    const a = await ask('員工週末加班的加班費要怎麼算才不違法？')
    expect(a.status).toBe('out-of-scope')
    expect(a.text).toContain('勞動')
    expect(a.text).toContain('顧問')
    expect(a.text).not.toMatch(/\d/)
    const b = await ask('What is the income tax rate for a small shop?')
    expect(b.status).toBe('out-of-scope')
    expect(b.text).toContain('National Taxation Bureau')
    // Hiring foreign workers is the labour authorities' question, whatever eligibility passage shares 工廠 and 條件.
    const d = await ask('我們工廠想請外籍移工，公司要符合哪些條件？')
    expect(d.status).toBe('out-of-scope')
    expect(d.text).toContain('勞動')
    expect((await ask('Can my factory hire migrant workers, and what are the requirements?')).status).toBe('out-of-scope')
    // Whether a cost can be deducted from tax is the tax office's question too, however the cost is described.
    const c = await ask('店裡導入POS的費用可以抵稅嗎？')
    expect(c.status).toBe('out-of-scope')
    expect(c.text).toContain('稅務')
    // A question about a programme the knowledge base holds is answered as always.
    expect((await ask('智慧商店計畫一家最多補多少錢？')).status).toBe('answered')
  })

  it('reads the words that frame a question (有個, 針對, 內容, 包括, 當天) as form, not as a subject the passages lack (declined-but-answerable class)', async () => {
    const a = await answered('有個智慧商店計畫，是針對哪些行業？')
    expect(a.body).toContain('餐飲業')
    // "當天" points back to the event the question names; it is not the thing counted.
    const b = await answered('雲端點數計畫有個MES生產管理方案，當天有多少家採用？')
    expect(b.body).toContain('1,234')
  })

  it('reads everyday words as the documents write them (全台 for a total), synonyms kept as data (declined-but-answerable class)', async () => {
    const a = await answered('雲端點數計畫全台有幾家採用MES生產管理？')
    expect(a.body).toContain('1,234')
  })

  it('holds a question naming a programme we hold to the usual bar, even when no other word of it is ours', async () => {
    // "雲點獎" is registered as the cloud-points programme's name; no other word of the question is of our subject.
    const programmes = programmeRegistry({ programmes: [{ id: 'fixture-cloud', name: '測試用雲端點數計畫', aliases: ['雲點獎'] }], generic: [] })
    const a = await answerQuestion({ ...deps, programmes }, { question: '雲點獎裡MES被幾家挑走了？', now: NOW })
    expect(a.status).toBe('answered')
    expect(a.body).toContain('1,234')
  })
})

describe('English questions', () => {
  it("are answered with the card's English lead and Chinese source titles", async () => {
    const a = await answered('Can a restaurant apply for the smart store programme?')
    expect(a.body).toContain('food-service and retail businesses')
    expect(a.text).toContain('Sources')
    expect(a.text).toContain('測試用智慧商店補助計畫')
  })

  it('stay in English, followed by the Chinese lead only: the passage behind it goes behind 看更多 unless it holds the fact asked (length class)', async () => {
    const a = await answered('How much does the smart store programme pay per shop for a POS system?')
    const [english, chinese, ...rest] = a.body.replace(/〔\d+〕/gu, '').split('\n')
    expect(english).toContain('NT$300,000')
    // The programme's own terms and figures as the office writes them, to quote when applying.
    expect(chinese).toBe('測試用智慧商店補助計畫每家最高補助30萬元，補助比例不超過總經費的70%，其餘由店家自籌。')
    // No passage sentence follows: what the English lead leaves out waits behind 看更多.
    expect(rest.join('\n')).not.toMatch(/\p{Script=Han}{4,}/u)
  })
})

describe('current, honest framing', () => {
  it('a "when can I apply" question first says what is open now, from the clock', async () => {
    const open = await ask('智慧商店計畫什麼時候截止？')
    expect(open.body.split('\n')[0]).toBe('目前開放申請：測試用智慧商店補助計畫（收件至116/01/31（2027-01-31））。')
    const closed = await ask('雲端點數計畫什麼時候可以申請？')
    expect(closed.body.split('\n')[0]).toContain('目前沒有開放申請中的梯次')
    expect(closed.body.split('\n')[0]).toContain('113/06/17')
    // Asked as "受理到哪一天" too (declined-but-answerable class: the window is the answer).
    const until = await ask('雲端點數計畫受理到哪一天？')
    expect(until.body.split('\n')[0]).toContain('目前沒有開放申請中的梯次')
    const later = await answerQuestion(deps, { question: '智慧商店計畫什麼時候截止？', now: new Date('2027-03-01T00:00:00Z') })
    expect(later.body.split('\n')[0]).toContain('目前沒有開放申請中的梯次')
  })

  it('corrects a figure the question gets wrong with the figure the source gives', async () => {
    const a = await answered('智慧商店計畫補助比例80%，那店家只要自籌20%對嗎？')
    expect(a.body).toMatch(/^⚠️ 更正：資料上寫的是.*70%.*不是80%/)
  })
})

describe('clean user text', () => {
  it('no reply shows internal words (seed, chunk, 擷取, file names, English status words)', async () => {
    for (const q of ['智慧商店計畫一家最多補多少？', '雲端點數最多可以拿多少？', 'CRM 顧客管理方案有幾家採用？', '技術輔導要多久？', '雲端點數計畫什麼時候可以申請？']) {
      const a = await ask(q)
      const shown = [a.text, a.more ?? '', JSON.stringify(renderAnswer(a, 'id'))].join('\n')
      expect(shown, q).not.toMatch(INTERNAL_WORDS)
    }
  })
})
