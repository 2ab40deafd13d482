import { describe, expect, it } from 'vitest'
import { pickConsultant, type CaseProfile, type Consultant } from '../../src/handoff/assign.js'
import type { AssignmentRule } from '../../src/handoff/settings.js'

const consultant = (username: string, openCases: number, regions: string[] = [], industries: string[] = []): Consultant => ({ id: `id-${username}`, username, regions, industries, openCases })
const anyone: AssignmentRule[] = [{ name: '全部', when: { regions: [], industries: [] }, consultants: [] }]
/** A case from a manufacturer in central Taiwan, with every name the assessment knows these by. */
const centralFactory: CaseProfile = { region: ['central', '中部', '台中', '臺中', '彰化'], industry: ['manufacturing', '製造業', '製造', '工廠'] }

describe('assigning a new case to a consultant', () => {
  it('picks the consultant with the fewest open cases among those who fit', () => {
    const picked = pickConsultant(anyone, centralFactory, [consultant('amy', 3), consultant('ben', 1), consultant('cat', 2)])
    expect(picked?.username).toBe('ben')
  })

  it("respects the consultants' own regions and industries, typed as they like (empty = any)", () => {
    const team = [consultant('north', 0, ['臺北市', '新北市']), consultant('taichung', 4, ['臺中市']), consultant('retail', 0, [], ['批發零售'])]
    expect(pickConsultant(anyone, centralFactory, team)?.username).toBe('taichung')
    expect(pickConsultant(anyone, { region: ['north', '北部', '臺北'] }, team)?.username).toBe('north')
  })

  it('uses the first matching rule and its named pool', () => {
    const rules: AssignmentRule[] = [
      { name: '中部製造業', when: { regions: ['central'], industries: ['manufacturing'] }, consultants: ['dora'] },
      { name: '其他', when: { regions: [], industries: [] }, consultants: [] },
    ]
    const team = [consultant('dora', 9), consultant('eve', 0)]
    expect(pickConsultant(rules, centralFactory, team)?.username).toBe('dora')
    expect(pickConsultant(rules, { region: ['south', '南部'] }, team)?.username).toBe('eve')
  })

  it('leaves the case unassigned when nothing fits', () => {
    const onlyNorth: AssignmentRule[] = [{ name: '北部', when: { regions: ['north'], industries: [] }, consultants: [] }]
    expect(pickConsultant(onlyNorth, centralFactory, [consultant('amy', 0)])).toBeUndefined()
    expect(pickConsultant(anyone, centralFactory, [consultant('south', 0, ['高雄市'])])).toBeUndefined()
    expect(pickConsultant(anyone, centralFactory, [])).toBeUndefined()
  })

  it('does not exclude anyone for an unknown region or industry', () => {
    const team = [consultant('north', 2, ['臺北市']), consultant('south', 1, ['高雄市'])]
    expect(pickConsultant(anyone, {}, team)?.username).toBe('south')
  })

  it('breaks ties by username, so the choice is repeatable', () => {
    expect(pickConsultant(anyone, {}, [consultant('zoe', 1), consultant('adam', 1)])?.username).toBe('adam')
  })
})
