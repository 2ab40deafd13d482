import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { composeEligibility } from '../src/eligibility/answer.js'
import { evaluate, type TrackEvaluation, type Verdict } from '../src/eligibility/engine.js'
import { readQuestion } from '../src/eligibility/extract.js'
import { readProgrammeRules } from '../src/eligibility/load.js'
import { recommend } from '../src/eligibility/recommend.js'
import type { ProgrammeRules } from '../src/eligibility/rules.js'
import { KNOWLEDGE_DIR } from '../src/knowledge/setup.js'
import { textEvent } from '../src/simulator/events.js'
import { startChatBot, waitFor, type ChatSetup } from './helpers/harness.js'

/**
 * Made-up firms of every common kind, each described the way an owner would, and the verdict the
 * rules should give for the programmes with stated criteria: ✅ eligible, ❌ not (with the rule that
 * decides it), ⚠️ needs checking. Expected values are read off knowledge/rules/programmes.yaml by hand.
 */
const NOW = new Date('2026-12-05T10:00:00+08:00')
type Expect = 'E' | 'C' | `N:${string}`
const PROGRAMMES = ['supply-chain-ai', 'succession-dx', 'cloud-marketplace', 'instant-tech-assistance', 'sme-revitalization-digital-training'] as const
const FIRMS: { kind: string; says: string; expect: [Expect, Expect, Expect, Expect, Expect] }[] = [
  { kind: 'restaurant', says: '我們是20人的餐廳，是有限公司', expect: ['N:manufacturing', 'N:manufacturing', 'N:manufacturing', 'C', 'E'] },
  { kind: 'salon', says: '我開美髮店，5個人，是行號', expect: ['N:manufacturing+registration', 'N:manufacturing', 'N:manufacturing', 'C', 'E'] },
  { kind: 'retail shop', says: '我們是30人的服飾店', expect: ['N:manufacturing', 'N:manufacturing', 'N:manufacturing', 'C', 'E'] },
  { kind: 'logistics', says: '我們是物流公司，員工120人', expect: ['N:manufacturing', 'N:manufacturing', 'N:manufacturing', 'C', 'N:employees'] },
  { kind: 'software studio', says: '我們5個人做APP和網站外包', expect: ['N:manufacturing', 'N:manufacturing', 'N:manufacturing', 'C', 'E'] },
  {
    kind: 'food factory that never had the post-pandemic grant',
    says: '我們是80人的食品廠，有工廠登記，不是陸資，之前沒拿過疫後特別條例的低碳化智慧化升級轉型補助',
    expect: ['C', 'C', 'C', 'C', 'N:employees'],
  },
  {
    kind: 'metal parts maker meeting every stated rule',
    says: '我們是做汽車零件的鐵工廠，50人，資本額5000萬，營收2億，有工廠登記，是有限公司，不是陸資，淨值為正，沒有拿過其他政府補助',
    expect: ['E', 'C', 'E', 'C', 'N:employees'],
  },
  { kind: 'exactly 200 employees', says: '我們員工剛好200人、資本額2億的工廠，是有限公司，有工廠登記，不是陸資', expect: ['C', 'C', 'C', 'C', 'N:employees'] },
  { kind: 'over the revenue cap', says: '我們是營收50億的製造業，不是中堅企業', expect: ['N:revenue', 'N:revenue', 'C', 'C', 'C'] },
  { kind: 'mainland investment', says: '我們是有陸資投資的電子製造廠，100人', expect: ['N:no-chinese-investment', 'N:no-chinese-investment', 'N:no-chinese-investment', 'C', 'N:employees'] },
  { kind: 'no registration', says: '我們是3個人的設計工作室，還沒辦公司或商業登記', expect: ['N:manufacturing+registration', 'N:manufacturing+registration', 'N:manufacturing+registration', 'N:registration', 'E'] },
  { kind: 'medium firm (中堅企業)', says: '我們是中堅企業，營收60億的機械製造廠，有工廠登記', expect: ['C', 'C', 'C', 'C', 'C'] },
]

const CODE: Record<Verdict, string> = { eligible: 'E', 'needs-checking': 'C', 'not-eligible': 'N' }

let rules: ProgrammeRules
beforeAll(async () => {
  rules = await readProgrammeRules()
})

/** The best track's verdict of a programme, and the rules that decide a ❌. */
function verdictOf(evals: TrackEvaluation[], programme: string): Expect {
  const r = recommend(evals.filter((e) => e.programme.id === programme), rules)
  const e = [...r.eligible, ...r.checking, ...r.notEligible][0]!
  return e.verdict === 'not-eligible' ? `N:${e.failed.map((f) => f.rule.id).sort().join('+')}` : (CODE[e.verdict] as Expect)
}

describe('a dozen kinds of firm, each programme with stated criteria', () => {
  for (const firm of FIRMS) {
    it(`${firm.kind}: 「${firm.says}」`, () => {
      const reading = readQuestion(`${firm.says}，可以申請哪些補助？`, rules)
      const evals = evaluate(rules, reading.facts, NOW)
      expect(PROGRAMMES.map((p) => verdictOf(evals, p))).toEqual(firm.expect)
      // A programme whose documents state no criterion is never silently eligible, and says why.
      for (const e of evals.filter((x) => [...x.programme.rules, ...x.track.rules].some((r) => r.test.kind === 'unstated'))) {
        expect(e.verdict, `${e.programme.id}/${e.track.id}`).not.toBe('eligible')
      }
      // Nobody is left with an empty answer: what may fit, or why nothing does and what to do next.
      const { body, more } = composeEligibility(reading, evals, rules, [])
      expect(body).toMatch(/✅ 可以申請|⚠️ 可能可以|都不符合[\s\S]*建議/)
      expect(body).not.toContain('❌')
      // Every ❌ in the detail quotes the rule that decides it.
      const why = readQuestion(`${firm.says}，哪些計畫不符合？`, rules)
      const whyBody = composeEligibility(why, evaluate(rules, why.facts, NOW), rules, []).body
      for (const [i, code] of firm.expect.entries()) {
        if (!code.startsWith('N:')) continue
        const programme = rules.programmes.find((p) => p.id === PROGRAMMES[i])!
        const rule = [...programme.rules, ...programme.tracks.flatMap((t) => t.rules)].find((r) => r.id === code.slice(2).split('+')[0])!
        expect(whyBody + more).toContain(`【${programme.short_name}】`)
        expect(more).toContain(rule.label)
      }
    })
  }

  it('reads 沒拿過 as never having had the grant: the double-funding rule passes', () => {
    const food = readQuestion(FIRMS[5]!.says, rules)
    const e = evaluate(rules, food.facts, NOW, { programmes: ['supply-chain-ai'] })[0]!
    expect(e.results.find((r) => r.rule.id === 'no-double-funding')!.outcome).toBe('pass')
  })
})

describe('the same firms through the signed webhook', () => {
  let setup: ChatSetup | undefined
  beforeAll(async () => {
    setup = await startChatBot(KNOWLEDGE_DIR)
  }, 120_000)
  afterAll(async () => {
    await setup?.close()
  })

  const LABEL: Record<string, string> = { E: '✅ 符合', C: '⚠️ 需要再確認', N: '❌ 不符合' }
  it('gives each firm the verdicts of the table, quoting the rule that rules a programme out', async () => {
    const { line, bot } = setup!
    for (const [i, firm] of FIRMS.entries()) {
      const user = `Ufirm${i}`
      const before = line.fake.deliveriesFor(user).length
      await bot.send([textEvent({ userId: user }, `${firm.says}，可以申請供應鏈AI、接班傳承、雲市集、即時技術輔導或30人以下數位人培嗎？`, line.fake.issueReplyToken(user))])
      const reply = (await waitFor(() => line.fake.deliveriesFor(user)[before], 'reply')).messages.at(-1) as { contents: { body: { contents: { text: string }[] } } }
      const body = reply.contents.body.contents[0]!.text
      for (const [j, code] of firm.expect.entries()) {
        const programme = rules.programmes.find((p) => p.id === PROGRAMMES[j])!
        const block = body.slice(body.indexOf(`【${programme.short_name}`))
        expect(block, `${firm.kind} / ${programme.id}`).toMatch(new RegExp(`^【${programme.short_name}[^】]*】[^\\n]*${LABEL[code[0]!]!}`))
        if (code.startsWith('N:')) {
          const rule = programme.rules.find((r) => r.id === code.slice(2).split('+')[0])!
          expect(block.split('\n【')[0], `${firm.kind} / ${programme.id}`).toContain(`❌ ${rule.label}`)
        }
      }
    }
  }, 120_000)
})
