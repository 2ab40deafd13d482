import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { z } from 'zod'
import { documentProgrammeSchema, programmeKinds, type DocumentProgramme, type Rule } from '../eligibility/rules.js'

/**
 * A programme's eligibility rules as a form: the criteria announcements state most often (industry,
 * size, registration, factory, mainland investment, region, other conditions), each turned into a
 * rule of the rules file's own shape; or, for anything else, the rules as raw YAML.
 */
export interface RulesForm {
  /** 'on': the document carries eligibility rules. */
  rules_enabled: string
  rules_short_name: string
  rules_aliases: string
  rules_kind: string
  rules_summary: string
  rules_benefit: string
  /** Industry ids, comma separated (checkboxes). */
  rules_industries: string
  rules_max_employees: string
  /** 以下 (≤) or 未滿 (<). */
  rules_employees_comparison: string
  /** In 萬元. */
  rules_max_capital: string
  rules_max_revenue: string
  /** 'on': 中小企業認定標準 (實收資本額1億元以下，或經常僱用員工未滿200人). */
  rules_sme: string
  /** Registration kinds allowed, comma separated. */
  rules_registration: string
  rules_factory: string
  rules_no_chinese: string
  /** Counties, separated by 、 or commas. */
  rules_regions: string
  /** Other conditions, one per line: only the applicant can confirm them. */
  rules_other: string
  /** The announcement's own words on who may apply: every rule's wording. */
  rules_wording: string
  /** Where in the source they stand (章節). */
  rules_section: string
  /** Power users: the whole entry as YAML; when given, the fields above are not used. */
  rules_yaml: string
}

export const RULES_FIELDS = [
  'rules_enabled', 'rules_short_name', 'rules_aliases', 'rules_kind', 'rules_summary', 'rules_benefit', 'rules_industries', 'rules_max_employees',
  'rules_employees_comparison', 'rules_max_capital', 'rules_max_revenue', 'rules_sme', 'rules_registration', 'rules_factory', 'rules_no_chinese',
  'rules_regions', 'rules_other', 'rules_wording', 'rules_section', 'rules_yaml',
] as const satisfies readonly (keyof RulesForm)[]

export const emptyRulesForm = (): RulesForm => ({
  rules_enabled: '', rules_short_name: '', rules_aliases: '', rules_kind: 'subsidy', rules_summary: '', rules_benefit: '', rules_industries: '',
  rules_max_employees: '', rules_employees_comparison: '以下', rules_max_capital: '', rules_max_revenue: '', rules_sme: '', rules_registration: '',
  rules_factory: '', rules_no_chinese: '', rules_regions: '', rules_other: '', rules_wording: '', rules_section: '', rules_yaml: '',
})

export const REGISTRATION_LABEL: Record<string, string> = { company: '公司登記', business: '商業登記（行號）', 'limited-partnership': '有限合夥登記' }
export const KIND_LABEL: Record<(typeof programmeKinds)[number], string> = { subsidy: '補助', assistance: '輔導', service: '服務', award: '獎項', financing: '融資／貸款' }

const list = (v: string) => v.split(/[,，、\n]/).map((x) => x.trim()).filter(Boolean)
const WAN = 10_000

/** What the document itself supplies: its id, title, status, window and source. */
export interface DocumentContext {
  id: string
  title: string
  status: 'current' | 'closed' | 'planned'
  opens?: string | undefined
  closes?: string | undefined
  source: string
}

export type RulesFieldErrors = Partial<Record<keyof RulesForm, string>>
export type RulesResult = { ok: true; eligibility: DocumentProgramme | undefined } | { ok: false; errors: RulesFieldErrors }

function whole(value: string, field: keyof RulesForm, errors: RulesFieldErrors, unit: string): number | undefined {
  if (!value.trim()) return undefined
  const n = Number(value.replace(/[,，]/g, ''))
  if (!Number.isFinite(n) || n <= 0) {
    errors[field] = `請填正的數字（單位：${unit}）`
    return undefined
  }
  return Math.round(n)
}

/** The form → the front-matter `eligibility` entry, validated with the rules file's schema. */
export function rulesFromForm(f: RulesForm, doc: DocumentContext): RulesResult {
  if (f.rules_enabled !== 'on') return { ok: true, eligibility: undefined }
  const errors: RulesFieldErrors = {}
  if (f.rules_yaml.trim()) {
    let raw: unknown
    try {
      raw = parseYaml(f.rules_yaml)
    } catch (error) {
      return { ok: false, errors: { rules_yaml: `不是正確的 YAML：${(error as Error).message.split('\n')[0]}` } }
    }
    const parsed = documentProgrammeSchema.safeParse(raw)
    if (!parsed.success) return { ok: false, errors: { rules_yaml: z.prettifyError(parsed.error) } }
    return { ok: true, eligibility: parsed.data }
  }
  const wording = f.rules_wording.trim()
  if (!wording) errors.rules_wording = '請貼上公告中申請資格的原文，每條規則都會引用它'
  if (!f.rules_benefit.trim()) errors.rules_benefit = '請寫出補助內容（上限、比例或服務內容）'
  const source = { document: doc.id, name: doc.source, section: f.rules_section.trim() || '申請資格' }
  const rule = (id: string, label: string, test: Rule['test'], explain: string): Rule => ({ id, label, test, wording: wording || label, explain, source })
  const rules: Rule[] = []
  const industries = list(f.rules_industries)
  if (industries.length > 0) rules.push(rule('industry', '行業', { kind: 'one-of', fact: 'industry', allowed: industries }, '申請者的行業要在公告列出的範圍內。'))
  const employees = whole(f.rules_max_employees, 'rules_max_employees', errors, '人')
  const comparison = f.rules_employees_comparison === '未滿' ? '未滿' : '以下'
  if (employees !== undefined) rules.push(rule('employees', '員工人數', { kind: 'threshold', fact: 'employees', comparison, value: employees }, `經常僱用員工${comparison === '未滿' ? `不到 ${employees} 人` : ` ${employees} 人以內（含）`}。`))
  const capital = whole(f.rules_max_capital, 'rules_max_capital', errors, '萬元')
  if (capital !== undefined) rules.push(rule('capital', '實收資本額', { kind: 'threshold', fact: 'capital', comparison: '以下', value: capital * WAN }, `實收資本額 ${capital.toLocaleString('en-US')} 萬元以內（含）。`))
  const revenue = whole(f.rules_max_revenue, 'rules_max_revenue', errors, '萬元')
  if (revenue !== undefined) rules.push(rule('revenue', '營業額', { kind: 'threshold', fact: 'revenue', comparison: '以下', value: revenue * WAN }, `年營業額 ${revenue.toLocaleString('en-US')} 萬元以內（含）。`))
  if (f.rules_sme === 'on') {
    rules.push(
      rule(
        'sme',
        '中小企業規模',
        { kind: 'any-of', of: [{ kind: 'threshold', fact: 'capital', comparison: '以下', value: 100_000_000 }, { kind: 'threshold', fact: 'employees', comparison: '未滿', value: 200 }] },
        '實收資本額1億元以內，或經常僱用員工不到200人，符合一項即可。',
      ),
    )
  }
  const registration = list(f.rules_registration)
  if (registration.length > 0) {
    rules.push(rule('registration', '登記', { kind: 'one-of', fact: 'registration', allowed: registration }, `要辦過${registration.map((r) => REGISTRATION_LABEL[r] ?? r).join('或')}。`))
  }
  if (f.rules_factory === 'on') rules.push(rule('factory', '工廠登記', { kind: 'one-of', fact: 'factory', allowed: ['registered', 'exempt'] }, '要有工廠登記；依法免辦的附上證明文件。'))
  if (f.rules_no_chinese === 'on') rules.push(rule('no-chinese-investment', '非陸資', { kind: 'flag', fact: 'chineseInvestment', expect: false }, '不能有陸資投資。'))
  const regions = list(f.rules_regions).map((r) => r.replace(/^台/, '臺'))
  if (regions.length > 0) rules.push(rule('region', '所在地區', { kind: 'one-of', fact: 'region', allowed: regions }, `公司要在${regions.join('、')}。`))
  list(f.rules_other.replace(/[,，、]/g, '\n')).forEach((line, i) => rules.push(rule(`other-${i + 1}`, line.slice(0, 30), { kind: 'check', fact: `other${String.fromCharCode(65 + (i % 26))}` }, `請確認：${line}`)))
  if (rules.length === 0) rules.push(rule('unstated', '申請資格未寫明', { kind: 'unstated' }, '公告沒有寫申請資格的細節，請向計畫辦公室確認。'))

  const shortName = f.rules_short_name.trim() || doc.title
  const windowed = doc.status !== 'planned' && doc.opens && doc.closes && /^\d{4}-\d{2}-\d{2}$/.test(doc.opens) && /^\d{4}-\d{2}-\d{2}$/.test(doc.closes)
  const candidate = {
    name: doc.title,
    short_name: shortName,
    aliases: [...new Set([shortName, ...list(f.rules_aliases)])],
    kind: f.rules_kind,
    status: doc.status === 'planned' ? 'planned' : 'windowed',
    ...(f.rules_summary.trim() ? { summary: f.rules_summary.trim() } : {}),
    window: {
      ...(windowed ? { opens: doc.opens, closes: doc.closes } : {}),
      wording: windowed ? `受理期間：${doc.opens} 至 ${doc.closes}` : doc.status === 'planned' ? '尚未公告受理期間' : '請以最新公告為準',
      source,
    },
    tracks: [{ id: 'main', name: shortName, benefit: f.rules_benefit.trim() || '—' }],
    rules,
  }
  const parsed = documentProgrammeSchema.safeParse(candidate)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const head = String(issue.path[0] ?? '')
      const field: keyof RulesForm = head === 'short_name' ? 'rules_short_name' : head === 'kind' ? 'rules_kind' : head === 'summary' ? 'rules_summary' : head === 'aliases' ? 'rules_aliases' : 'rules_enabled'
      errors[field] ??= `${issue.path.join('.')}: ${issue.message}`
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors }
  return { ok: true, eligibility: parsed.data }
}

/** A stored entry → the form: the fields when the entry is one the form makes, else the YAML. */
export function formFromRules(e: DocumentProgramme | undefined): RulesForm {
  const f = emptyRulesForm()
  if (!e) return f
  f.rules_enabled = 'on'
  const formMade = e.tracks.length === 1 && e.rules.every((r) => ['industry', 'employees', 'capital', 'revenue', 'sme', 'registration', 'factory', 'no-chinese-investment', 'region', 'unstated'].includes(r.id) || /^other-\d+$/.test(r.id))
  if (!formMade) {
    f.rules_yaml = stringifyYaml(e, { lineWidth: 0 })
    return f
  }
  f.rules_short_name = e.short_name
  f.rules_aliases = e.aliases.filter((a) => a !== e.short_name).join('、')
  f.rules_kind = e.kind
  f.rules_summary = e.summary ?? ''
  f.rules_benefit = e.tracks[0]!.benefit
  const first = e.rules[0]
  f.rules_wording = first?.wording ?? ''
  f.rules_section = first?.source.section ?? ''
  for (const r of e.rules) {
    const t = r.test
    if (r.id === 'industry' && t.kind === 'one-of') f.rules_industries = (t.allowed ?? []).join(',')
    if (r.id === 'employees' && t.kind === 'threshold') [f.rules_max_employees, f.rules_employees_comparison] = [String(t.value), t.comparison]
    if (r.id === 'capital' && t.kind === 'threshold') f.rules_max_capital = String(t.value / WAN)
    if (r.id === 'revenue' && t.kind === 'threshold') f.rules_max_revenue = String(t.value / WAN)
    if (r.id === 'sme') f.rules_sme = 'on'
    if (r.id === 'registration' && t.kind === 'one-of') f.rules_registration = (t.allowed ?? []).join(',')
    if (r.id === 'factory') f.rules_factory = 'on'
    if (r.id === 'no-chinese-investment') f.rules_no_chinese = 'on'
    if (r.id === 'region' && t.kind === 'one-of') f.rules_regions = (t.allowed ?? []).join('、')
    if (/^other-\d+$/.test(r.id)) f.rules_other += `${f.rules_other ? '\n' : ''}${r.explain.replace(/^請確認：/, '')}`
  }
  return f
}
