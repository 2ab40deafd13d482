import { describe, expect, it } from 'vitest'
import { emptyForm, formFromDocument, validateForm, type DocForm } from '../../src/pmo/doc-form.js'
import { programmeOfDocument } from '../../src/eligibility/published.js'

/** A programme's rules written through the console form: what it makes, and what it refuses. */
const base = (patch: Partial<DocForm>): DocForm => ({
  ...emptyForm(),
  id: 'town-shop-grant',
  title: '某鎮商店數位補助',
  kind: 'programme',
  source: '某鎮公所公告（測試）',
  status: 'current',
  opens: '2026-12-01',
  closes: '2027-01-31',
  body: '## 補助內容\n\n每家最多2萬元。\n',
  rules_enabled: 'on',
  rules_benefit: '每家最多2萬元',
  rules_wording: '設籍某鎮、員工未滿10人之零售業者',
  ...patch,
})

describe('programme rules from the document form', () => {
  it('turns the fields into rules quoting the announcement, with the document as the source', () => {
    const r = validateForm(base({ rules_industries: 'wholesale-retail,food-lodging', rules_max_employees: '10', rules_employees_comparison: '未滿', rules_regions: '台南市', rules_other: '須提出導入計畫' }))
    expect(r.ok).toBe(true)
    const p = programmeOfDocument(r.ok ? r.document.meta : (undefined as never))!
    expect(p).toMatchObject({ id: 'town-shop-grant', document: 'town-shop-grant', window: { opens: '2026-12-01', closes: '2027-01-31' } })
    expect(p.rules.map((x) => [x.id, x.test])).toEqual([
      ['industry', { kind: 'one-of', fact: 'industry', allowed: ['wholesale-retail', 'food-lodging'] }],
      ['employees', { kind: 'threshold', fact: 'employees', comparison: '未滿', value: 10 }],
      ['region', { kind: 'one-of', fact: 'region', allowed: ['臺南市'] }],
      ['other-1', { kind: 'check', fact: 'otherA' }],
    ])
    expect(p.rules.every((x) => x.wording === '設籍某鎮、員工未滿10人之零售業者' && x.source.name === '某鎮公所公告（測試）')).toBe(true)
  })

  it('names the field of each mistake and saves nothing', () => {
    const bad = validateForm(base({ rules_max_employees: '十個', rules_wording: '' }))
    expect(bad.ok).toBe(false)
    if (bad.ok) return
    expect(bad.errors.rules_max_employees).toContain('數字')
    expect(bad.errors.rules_wording).toContain('原文')
    const yaml = validateForm(base({ rules_yaml: 'name: x\nrules: [' }))
    expect(!yaml.ok && yaml.errors.rules_yaml).toMatch(/YAML/)
    const schema = validateForm(base({ rules_yaml: 'name: 某計畫\nshort_name: 某\naliases: [某]\nwindow: { wording: 未定 }\ntracks: []\nrules: []\n' }))
    expect(!schema.ok && schema.errors.rules_yaml).toMatch(/window|tracks|rules/)
    const notProgramme = validateForm(base({ kind: 'reference' }))
    expect(!notProgramme.ok && notProgramme.errors.rules_enabled).toContain('計畫')
  })

  it('a document without rules carries none; saved rules reopen in the same fields', () => {
    const none = validateForm(base({ rules_enabled: '' }))
    expect(none.ok && none.document.meta.eligibility).toBeUndefined()
    const saved = validateForm(base({ rules_industries: 'food-lodging', rules_max_capital: '500', rules_sme: 'on', rules_registration: 'company,business' }))
    if (!saved.ok) throw new Error(JSON.stringify(saved.errors))
    const again = formFromDocument(saved.document)
    expect([again.rules_industries, again.rules_max_capital, again.rules_sme, again.rules_registration, again.rules_yaml]).toEqual(['food-lodging', '500', 'on', 'company,business', ''])
  })
})
