import { readFile } from 'node:fs/promises'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseDefinition, questionsOf, type AssessmentDefinition } from '../src/assessment/definition.js'
import { DataFileError } from '../src/data-file.js'
import { isExpired, step, type AssessmentState, type FlowEnv, type FlowEvent, type StepResult } from '../src/assessment/flow.js'
import { DEFINITION_FILE, readDefinition } from '../src/assessment/load.js'
import { resultMessages, resultText } from '../src/assessment/result-card.js'
import { buildResult, overallOf, weakestOf, type StoredAnswer } from '../src/assessment/scoring.js'
import { parseCommand, understand } from '../src/assessment/understand.js'
import { readProgrammeRules } from '../src/eligibility/load.js'
import type { ProgrammeRules } from '../src/eligibility/rules.js'

const NOW = new Date('2026-11-22T10:00:00+08:00')
const ID = '00000000-0000-4000-8000-000000000001'
const ID2 = '00000000-0000-4000-8000-000000000002'

let def: AssessmentDefinition
let rules: ProgrammeRules
let env: FlowEnv
beforeAll(async () => {
  def = await readDefinition()
  rules = await readProgrammeRules()
  env = { def, rules, now: NOW }
})

type Msg = { type: string; text?: string; altText?: string; quickReply?: { items: { action: { label: string; data?: string; text?: string } }[] } }
const last = (r: StepResult) => r.replies.at(-1) as Msg
const labels = (r: StepResult) => last(r).quickReply?.items.map((i) => i.action.label) ?? []
const q = (id: string) => questionsOf(def).find((x) => x.q.id === id)!

describe('the assessment definition', () => {
  it('has a profile and at least the seven business functions, each on the five-level scale', () => {
    expect(def.profile.map((p) => p.id)).toEqual(['industry', 'employees', 'capital', 'revenue', 'factory', 'region'])
    expect(def.functions.map((f) => f.id)).toEqual(['production', 'inventory', 'finance', 'hr', 'marketing', 'security', 'data'])
    expect(def.levels.map((l) => l.name)).toEqual(['紙本/人工', '基本文書軟體', '專業系統', 'ERP 整合', 'AI 應用'])
    expect(def.tool_categories.map((t) => t.name)).toEqual(['網路使用', '電腦基本操作', '網站建置', '資訊安全', '電子支付', '電子商務', '軟體即服務', '物聯網', '資料分析', '弱人工智慧'])
    expect(def.tool_categories.find((t) => t.id === 'saas')!.examples).toEqual(['專業設計軟體', '財會軟體'])
  })

  it('rejects a broken file with the field named', async () => {
    const source = await readFile(DEFINITION_FILE, 'utf8')
    expect(() => parseDefinition(source.replace('label: 有進銷存系統', 'label: 有進銷存系統而且還有一個很長很長很長的名字'), 'q.yaml')).toThrow(/functions\[1\]\.options\[2\]\.label/)
    expect(() => parseDefinition(source.replace('3: [iot, data-analytics]', '3: [iot, blockchain]'))).toThrow(/unknown tool category "blockchain"/)
    expect(() => parseDefinition('id: [')).toThrow(DataFileError)
  })
})

describe('understanding typed answers', () => {
  it('commands', () => {
    expect(['上一題', '跳過吧', '取消', '繼續評測', '重新開始', '好的'].map(parseCommand)).toEqual(['back', 'skip', 'cancel', 'continue', 'restart', undefined])
  })
  it('levels from owners’ words, numbers and labels; negations and words inside longer ones do not count', () => {
    const level = (fn: string, text: string) => understand(def, q(fn), text)
    expect(level('finance', '都用紙本')).toEqual({ type: 'level', level: 1 })
    expect(level('finance', '用 Excel 記帳')).toEqual({ type: 'level', level: 2 })
    expect(level('inventory', '有進銷存系統')).toEqual({ type: 'level', level: 3 })
    expect(level('inventory', '還沒有 ERP，用進銷存系統')).toEqual({ type: 'level', level: 3 })
    expect(level('production', '沒有系統，都手寫')).toEqual({ type: 'level', level: 1 })
    expect(level('hr', '用文書軟體')).toEqual({ type: 'level', level: 2 })
    expect(level('data', '第4級')).toEqual({ type: 'level', level: 4 })
    expect(level('data', '③')).toEqual({ type: 'level', level: 3 })
    expect(level('marketing', '我們有 email')).toEqual({ type: 'none' }) // "ai" inside a word
    expect(level('security', '沒有防毒')).toEqual({ type: 'level', level: 1 })
    expect(level('security', 'asdf')).toEqual({ type: 'none' })
  })
  it('profile answers: options by label, number or alias, and amounts', () => {
    expect(understand(def, q('industry'), '我們是食品廠')).toEqual({ type: 'option', value: 'manufacturing' })
    expect(understand(def, q('industry'), '3')).toEqual({ type: 'option', value: 'food-lodging' })
    expect(understand(def, q('factory'), '沒有工廠登記')).toEqual({ type: 'option', value: 'none' })
    expect(understand(def, q('factory'), '有')).toEqual({ type: 'option', value: 'registered' })
    expect(understand(def, q('region'), '台中')).toEqual({ type: 'option', value: 'central' })
    expect(understand(def, q('employees'), '35')).toEqual({ type: 'amount', range: { min: 35, max: 35 } })
    expect(understand(def, q('employees'), '大概八十幾個人')).toEqual({ type: 'amount', range: { min: 80, max: 89 } })
    expect(understand(def, q('capital'), '5000萬')).toEqual({ type: 'amount', range: { min: 5e7, max: 5e7 } })
    expect(understand(def, q('capital'), '500')).toEqual({ type: 'needs-unit' })
    expect(understand(def, q('revenue'), '1億元以下')).toEqual({ type: 'option', value: 'le100m' })
  })
})

describe('scoring', () => {
  it('overall level = floor of the mean of answered functions; too few answers give none', () => {
    expect(overallOf([2, 2, 3, 3, 3, 3, 3], 4)).toEqual({ level: 2, average: 2.7, answered: 7, total: 7 })
    expect(overallOf([1, 1, 1, 4, 4, 4, 4], 4)).toMatchObject({ level: 2, average: 2.7 })
    expect(overallOf([3, 3, 3, 3, null, null, null], 4)).toMatchObject({ level: 3, answered: 4 })
    expect(overallOf([5, 5, 5, null, null, null, null], 4)).toMatchObject({ level: null, average: 5 })
    expect(overallOf([null, null], 4)).toEqual({ level: null, average: null, answered: 0, total: 2 })
  })
  it('the two weakest areas, ties in the definition order, never a level-5 area', () => {
    expect(weakestOf([{ id: 'a', level: 3 }, { id: 'b', level: 1 }, { id: 'c', level: 1 }, { id: 'd', level: 2 }])).toEqual(['b', 'c'])
    expect(weakestOf([{ id: 'a', level: 5 }, { id: 'b', level: null }, { id: 'c', level: 4 }])).toEqual(['c'])
  })
  it('recommends the tool categories for the weakest areas and evaluates the programmes from the profile', () => {
    const answers: Record<string, StoredAnswer> = {
      industry: { option: 'manufacturing' },
      employees: { amount: { min: 80, max: 80 } },
      capital: { option: 'le10m' },
      revenue: { option: 'le2b' },
      factory: { option: 'registered' },
      region: { option: 'central' },
      production: { level: 2 },
      inventory: { level: 1 },
      finance: { level: 2 },
      hr: { level: 3 },
      marketing: { level: 1 },
      security: { skipped: true },
      data: { level: 2 },
    }
    const result = buildResult(def, rules, answers, NOW)
    expect(result.overall).toEqual({ level: 1, average: 1.8, answered: 6, total: 7 })
    expect(result.weakest).toEqual(['inventory', 'marketing'])
    expect(result.tools.map((t) => t.id)).toEqual(['computer-usage', 'saas', 'internet-usage', 'web-presence'])
    expect(result.facts).toEqual({ industry: 'manufacturing', employees: { min: 80, max: 80 }, capital: { min: 0, max: 1e7 }, revenue: { min: 1e8 + 1, max: 2e9 }, factory: 'registered' })
    expect(result.profile).toMatchObject({ industry: '製造業', employees: '80人', region: '中部' })
    const cloud = result.programmes.find((p) => p.programme === 'cloud-marketplace')!
    expect(cloud.verdict).toBe('needs-checking')
    expect(cloud.window).toBe('closed')
    expect(cloud.lines.filter((l) => l.outcome === 'pass').map((l) => l.label)).toEqual(['中小企業規模', '製造業', '工廠登記'])
    const text = resultText(def, rules, result)
    expect(text).toContain('整體數位程度：第 1 級｜紙本/人工（平均 1.8）')
    expect(text).toContain('最需要加強：進銷存、行銷與客戶經營')
    expect(text).toContain('電腦基本操作（例如：Office 文書處理）')
    // programmes written for a manufacturer come before generic ones; nothing is listed as ❌
    const listed = text.split('\n').filter((l) => l.startsWith('・')).map((l) => l.replace(/〔.*$/, '').slice(1))
    expect(listed).toEqual(expect.arrayContaining(['雲市集工業館數位點數', '產業聚落供應鏈AI計畫']))
    expect(text).toMatch(/〔\d〕雲市集工業館數位點數補助計畫：申請資格/)
    expect(text).not.toContain('❌')
  })
  it('compares with the previous result: the programmes’ +1 level', () => {
    const answers = Object.fromEntries(def.functions.map((f) => [f.id, { level: 3 }])) as Record<string, StoredAnswer>
    const previous = { completedAt: '2026-05-01T02:00:00.000Z', result: { overall: { level: 2, average: 2.1, answered: 7, total: 7 }, functions: def.functions.map((f) => ({ id: f.id, level: f.id === 'inventory' ? 1 : 2 })) } }
    const result = buildResult(def, rules, answers, NOW, previous)
    expect(result.change).toMatchObject({ previousLevel: 2, delta: 1 })
    expect(result.change!.functions.find((f) => f.id === 'inventory')).toEqual({ id: 'inventory', before: 1, after: 3 })
    const text = resultText(def, rules, result)
    expect(text).toContain('和上次（2026-05-01）比：第 2 級 → 第 3 級')
    expect(text).toContain('提升 1 級')
  })
})

describe('the conversation steps', () => {
  function run(events: FlowEvent[], start?: AssessmentState): { state: AssessmentState | undefined; results: StepResult[] } {
    let state = start
    const results: StepResult[] = []
    for (const e of events) {
      const r = step(env, state, e)
      results.push(r)
      state = r.save.at(-1) ?? state
    }
    return { state, results }
  }
  const answer = (questionId: string, value: string): FlowEvent => ({ type: 'answer', assessmentId: ID, questionId, value })

  it('starts with an intro and the first question, with progress, options and navigation', () => {
    const r = step(env, undefined, { type: 'start', newId: ID })
    expect(r.replies).toHaveLength(2)
    expect(last(r).text).toContain('📋 數位健檢 1/13｜行業')
    expect(labels(r)).toEqual(['製造業', '批發零售', '餐飲住宿', '其他服務業', '農林漁牧', '營造工程', '其他行業', '跳過', '取消'])
    expect(r.save).toMatchObject([{ id: ID, status: 'in_progress', position: 0 }])
  })

  it('moves on by taps and by words, goes back showing the previous answer, skips, and finishes', () => {
    const { state, results } = run([
      { type: 'start', newId: ID },
      answer('industry', 'manufacturing'),
      { type: 'text', text: '35人', newId: ID2 },
      { type: 'skip', assessmentId: ID, questionId: 'capital' },
      { type: 'back', assessmentId: ID, questionId: 'revenue' },
    ])
    expect(last(results[2]!).text).toContain('收到：35人 👌')
    expect(last(results[4]!).text).toContain('3/13｜實收資本額')
    expect(last(results[4]!).text).toContain('（上次回答：跳過）')
    expect(labels(results[4]!)).toContain('⬅️ 上一題')
    let s = state!
    const rest: FlowEvent[] = ['le10m', 'le100m', 'registered', 'north'].map((v, i) => answer(['capital', 'revenue', 'factory', 'region'][i]!, v))
    for (const f of def.functions) rest.push(answer(f.id, '2'))
    const done = run(rest, s)
    s = done.state!
    const final = done.results.at(-1)!
    expect(final.intent).toBe('assess-complete')
    expect(s.status).toBe('completed')
    expect(final.replies.map((m) => m.type)).toEqual(['text', 'flex'])
    expect((final.replies[1] as Msg).altText).toContain('整體數位程度：第 2 級｜基本文書軟體')
    expect(labels(final)).toEqual(['💬 找顧問談結果', '🏛️ 看全部計畫', '📚 看類似案例', '⏰ 之後再測', '選單'])
    expect(last(final).quickReply!.items[0]!.action.data).toBe(`action=consultant&assessment=${ID}`)
  })

  it('asks again kindly when an answer is not understood, and marks it for the caller', () => {
    const started = step(env, undefined, { type: 'start', newId: ID }).save[0]!
    const r = step(env, { ...started, position: 7 }, { type: 'text', text: '嗯嗯嗯', newId: ID2 })
    expect(r.notUnderstood).toBe(true)
    expect(last(r).text).toContain('抱歉，我沒看懂這個回答')
    expect(last(r).text).toContain('8/13｜進銷存')
    expect(r.save).toEqual([])
    const unit = step(env, { ...started, position: 2 }, { type: 'text', text: '500', newId: ID2 })
    expect(last(unit).text).toContain('請加上單位')
  })

  it('cancels, and treats taps of another assessment or an old question as stale', () => {
    const started = step(env, undefined, { type: 'start', newId: ID }).save[0]!
    const cancel = step(env, started, { type: 'cancel', assessmentId: ID })
    expect(cancel.save[0]!.status).toBe('cancelled')
    expect(labels(cancel)).toContain('重新開始')
    const moved = { ...started, position: 3 }
    expect(step(env, moved, answer('industry', 'manufacturing')).intent).toBe('assess-stale')
    expect(step(env, moved, { type: 'answer', assessmentId: ID2, questionId: 'revenue', value: 'le2b' }).intent).toBe('assess-stale')
    expect(step(env, undefined, answer('industry', 'manufacturing')).intent).toBe('assess-none')
  })

  it('carries an open assessment over to edited questions: answers kept where the question still fits, on to the first unanswered one', () => {
    // Answered under the old version: industry, employees, capital (the 4th question, revenue, is next).
    const { state } = run([{ type: 'start', newId: ID }, answer('industry', 'manufacturing'), { type: 'text', text: '35人', newId: ID2 }, answer('capital', 'le10m')])
    expect(state!.position).toBe(3)
    // PMO staff drop the capital question, give industry new option values, and put out a new version.
    const industry = def.profile.find((p) => p.id === 'industry')!
    const edited: AssessmentDefinition = {
      ...def,
      version: `${def.version}-edited`,
      profile: def.profile
        .filter((p) => p.id !== 'capital')
        .map((p) => (p.id === 'industry' && p.kind === 'choice' ? { ...p, options: p.options.map((o) => ({ ...o, value: `new-${o.value}` })) } : p)),
    }
    expect(industry.kind).toBe('choice')
    const envEdited = { ...env, def: edited }
    const total = questionsOf(edited).length

    const resumed = step(envEdited, state, { type: 'start', newId: ID2 })
    expect(resumed.intent).toBe('assess-resume')
    expect(last(resumed).text).toContain('評測題目在您上次作答後更新過了')
    expect(last(resumed).text).toContain(`1/${total}｜行業`) // industry's old answer no longer fits
    expect(resumed.save[0]).toMatchObject({ version: edited.version, position: 0 })
    expect(Object.keys(resumed.save[0]!.answers)).toEqual(['employees'])

    // From there the questions go on in order.
    const next = step(envEdited, resumed.save[0], { type: 'answer', assessmentId: ID, questionId: 'industry', value: 'new-manufacturing' })
    expect(next.save[0]).toMatchObject({ position: 1, answers: { industry: { option: 'new-manufacturing' }, employees: expect.anything() } })
  })

  it('does not break when the questions shrank under an open assessment of the same version', () => {
    const started = step(env, undefined, { type: 'start', newId: ID }).save[0]!
    const shorter: AssessmentDefinition = { ...def, functions: def.functions.slice(0, 2) }
    const past = { ...started, position: questionsOf(def).length - 1 }
    const r = step({ ...env, def: shorter }, past, { type: 'continue', assessmentId: ID })
    expect(r.intent).toBe('assess-continue')
    expect(last(r).text).toContain(`1/${questionsOf(shorter).length}｜行業`)
  })

  it('resumes an open assessment and expires an abandoned one', () => {
    const started = step(env, undefined, { type: 'start', newId: ID }).save[0]!
    const open = { ...started, position: 4, updatedAt: new Date(NOW.getTime() - 3 * 86_400_000).toISOString() }
    const resumed = step(env, open, { type: 'start', newId: ID2 })
    expect(resumed.intent).toBe('assess-resume')
    expect(last(resumed).text).toContain('從第 5/13 題開始')
    expect(labels(resumed)).toContain('重新開始')
    const old = { ...open, updatedAt: new Date(NOW.getTime() - 15 * 86_400_000).toISOString() }
    expect(isExpired(def, old, NOW)).toBe(true)
    expect(step(env, old, answer('factory', 'none'))).toMatchObject({ intent: 'assess-expired', save: [{ id: ID, status: 'expired' }] })
    const fresh = step(env, old, { type: 'start', newId: ID2 })
    expect(fresh.save.map((s) => [s.id, s.status])).toEqual([[ID, 'expired'], [ID2, 'in_progress']])
    expect(fresh.replies[0]!.type === 'text' && fresh.replies[0]!.text).toContain('超過 14 天')
  })
})

describe('an assessment that fits the kind of firm', () => {
  const answer = (questionId: string, value: string): FlowEvent => ({ type: 'answer', assessmentId: ID, questionId, value })
  const through = (industry: string, employees: string) => {
    let state: AssessmentState | undefined
    const results: StepResult[] = []
    for (const e of [{ type: 'start', newId: ID } as FlowEvent, answer('industry', industry), { type: 'text', text: employees, newId: ID2 } as FlowEvent, answer('capital', 'le10m'), answer('revenue', 'le100m')]) {
      const r = step(env, state, e)
      results.push(r)
      state = r.save.at(-1) ?? state
    }
    return { state: state!, results }
  }

  it('does not ask a restaurant about a factory registration, and words the operations question for it', () => {
    const { state, results } = through('food-lodging', '12人')
    const next = last(results.at(-1)!).text!
    expect(next).toContain('6/13｜所在地區') // 5/13 (工廠登記) passed over
    expect(state.answers['factory']).toEqual({ skipped: true })
    const region = step(env, state, answer('region', 'south'))
    expect(last(region).text).toContain('出餐、訂位、排班')
    expect(labels(region)).toContain('③ 有POS點餐或訂位系統')
    // 上一題 from 所在地區 goes back to 年營業額, not to the question that was passed over
    const back = step(env, state, { type: 'back', assessmentId: ID, questionId: 'region' })
    expect(last(back).text).toContain('4/13｜年營業額')
  })

  it('still asks a manufacturer about its factory registration, in the general wording', () => {
    const { results } = through('manufacturing', '30人')
    expect(last(results.at(-1)!).text).toContain('5/13｜工廠登記')
  })

  it('reads everyday tools in free text at their level: a mobile-payment shop is at level 3 in marketing', () => {
    expect(understand(def, q('marketing'), '有臉書粉專跟LINE官方帳號，也有用街口支付')).toEqual({ type: 'level', level: 3 })
    expect(understand(def, q('marketing'), '客人都用 LINE Pay 付款')).toEqual({ type: 'level', level: 3 })
    expect(understand(def, q('finance'), '用雲端記帳')).toEqual({ type: 'level', level: 3 })
    expect(understand(def, q('marketing'), '只有臉書粉專')).toEqual({ type: 'level', level: 2 })
  })

  it('compares only with the survey group of the firm’s own kind and size, and explains the overall level with its numbers', () => {
    const functions = { production: { level: 1 }, inventory: { level: 2 }, finance: { level: 1 }, hr: { level: 1 }, marketing: { level: 3 }, security: { level: 2 }, data: { level: 2 } }
    const card = (industry: string, employees: number) => {
      const result = buildResult(def, rules, { industry: { option: industry }, employees: { amount: { min: employees, max: employees } }, ...functions }, NOW)
      return JSON.stringify(resultMessages(def, rules, ID, result)[1])
    }
    const restaurant = card('food-lodging', 12)
    expect(restaurant).toContain('50 人以下服務業的財務管理有 23.5%')
    expect(restaurant).not.toContain('製造業的')
    expect(restaurant).toContain('已回答業務的平均是 1.7 級，無條件捨去＝第 1 級')
    expect(card('manufacturing', 30)).toContain('50 人以下製造業的財務管理只有 16%')
    // the similar cases asked for are of its own kind of business
    expect(restaurant).not.toContain('智慧製造數位轉型的案例')
    // no group in the documents for an 80-person factory or for a farm
    expect(card('manufacturing', 80)).not.toContain('2019 年調查')
    expect(card('agriculture', 5)).not.toContain('2019 年調查')
  })
})
