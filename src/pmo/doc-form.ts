import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { frontMatterSchema, parseDocument, sectionHeadings, type AnswerCard, type KnowledgeDocument } from '../knowledge/frontmatter.js'
import { phrasingSimilarity } from '../answer/extractive.js'
import { emptyRulesForm, formFromRules, RULES_FIELDS, rulesFromForm, type RulesForm } from './rules-form.js'

/** The document editor's fields, as the browser posts them (all strings; a programme's rules as `rules_*`). */
export interface DocForm extends RulesForm {
  id: string
  title: string
  kind: string
  programme: string
  source: string
  source_date: string
  status: string
  opens: string
  closes: string
  tags: string
  /** The answer cards as YAML (a list of section / lead / lead_en / asks). */
  cards: string
  body: string
}

export type FieldErrors = Partial<Record<keyof DocForm | 'form', string>>
export { RULES_FIELDS }

export const emptyForm = (): DocForm => ({
  id: '', title: '', kind: 'programme', programme: '', source: '', source_date: '', status: 'current', opens: '', closes: '', tags: '', cards: '', body: '',
  ...emptyRulesForm(),
})

/** Checkbox groups arrive as arrays (parseBody with all: true). */
const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(',') : '')

export function formFromBody(body: Record<string, unknown>): DocForm {
  const f = emptyForm()
  for (const key of Object.keys(f) as (keyof DocForm)[]) f[key] = str(body[key])
  f.body = f.body.replace(/\r\n?/g, '\n')
  return f
}

export function formFromDocument(doc: KnowledgeDocument): DocForm {
  const m = doc.meta
  return {
    id: m.id, title: m.title, kind: m.kind, programme: m.programme ?? '', source: m.source, source_date: m.source_date ?? '', status: m.status,
    opens: m.application_window?.opens ?? '', closes: m.application_window?.closes ?? '', tags: m.tags.join(', '),
    cards: m.cards.length > 0 ? stringifyYaml(m.cards, { lineWidth: 0 }) : '', body: doc.body,
    ...formFromRules(m.eligibility),
  }
}

/** Stored Markdown → form (stored versions are always valid; a broken one opens with its raw text as body). */
export function formFromMarkdown(id: string, markdown: string): DocForm {
  const parsed = parseDocument(id, markdown)
  return parsed.ok ? formFromDocument(parsed.document) : { ...emptyForm(), id, body: markdown }
}

/** zod issue path → the form field it belongs to. */
function fieldOf(path: PropertyKey[]): keyof DocForm | 'form' {
  const [head, sub] = path
  if (head === 'application_window') return sub === 'closes' ? 'closes' : 'opens'
  const key = String(head ?? '')
  return (['id', 'title', 'kind', 'programme', 'source', 'source_date', 'status', 'tags', 'cards'] as const).find((k) => k === key) ?? 'form'
}

/** zh-TW wording for the schema's messages, so a PMO person knows what to fix. */
function explain(field: keyof DocForm | 'form', message: string): string {
  switch (field) {
    case 'id':
    case 'programme':
      return message.includes('kebab') ? '只能用小寫英文字母、數字與連字號，例如 cloud-points-2026' : message
    case 'title':
      return '標題至少 2 個字'
    case 'source':
      return '請寫出資料來源（至少 3 個字），例如文件名稱與章節'
    case 'source_date':
    case 'opens':
    case 'closes':
      return '日期格式為 YYYY、YYYY-MM 或 YYYY-MM-DD（西元年）'
    case 'kind':
      return '請選擇文件類型'
    case 'status':
      return '請選擇狀態'
    case 'cards':
      return `答案卡片格式不對：${message}（每張卡片要有 section、lead 與至少一個 asks）`
    default:
      return message
  }
}

export type FormResult = { ok: true; document: KnowledgeDocument } | { ok: false; errors: FieldErrors }

/** Validates the form with the same zod schema the folder ingest uses; errors keyed by field. */
export function validateForm(f: DocForm): FormResult {
  const errors: FieldErrors = {}
  const raw = {
    id: f.id.trim(),
    title: f.title.trim(),
    kind: f.kind,
    ...(f.programme.trim() ? { programme: f.programme.trim() } : {}),
    source: f.source.trim(),
    ...(f.source_date.trim() ? { source_date: f.source_date.trim() } : {}),
    status: f.status,
    ...(f.opens.trim() || f.closes.trim()
      ? { application_window: { ...(f.opens.trim() ? { opens: f.opens.trim() } : {}), ...(f.closes.trim() ? { closes: f.closes.trim() } : {}) } }
      : {}),
    tags: f.tags.split(/[,，、]/).map((t) => t.trim()).filter(Boolean),
    cards: [] as unknown,
  }
  try {
    raw.cards = f.cards.trim() ? parseYaml(f.cards) : []
  } catch (error) {
    errors.cards = `答案卡片不是正確的 YAML：${(error as Error).message.split('\n')[0]}`
  }
  const parsed = frontMatterSchema.safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path)
      errors[field] ??= explain(field, issue.message)
    }
  }
  const body = f.body.trim()
  if (parsed.success && !errors.cards) {
    const headings = new Set(sectionHeadings(body))
    const orphan = parsed.data.cards.find((c) => !headings.has(c.section))
    if (orphan) errors.cards = `答案卡片的 section「${orphan.section}」在內文中找不到對應的 ## 標題`
  }
  let eligibility
  if (f.rules_enabled === 'on' && f.kind !== 'programme') errors.rules_enabled = '只有「計畫」類型的文件可以設定申請資格規則'
  else if (parsed.success) {
    const rules = rulesFromForm(f, {
      id: parsed.data.id,
      title: parsed.data.title,
      status: parsed.data.status,
      opens: parsed.data.application_window?.opens,
      closes: parsed.data.application_window?.closes,
      source: parsed.data.source,
    })
    if (rules.ok) eligibility = rules.eligibility
    else Object.assign(errors, rules.errors)
  }
  if (!body) errors.body = '內文不能是空的'
  else if (/^---\s*$/m.test(body.split('\n')[0] ?? '')) errors.body = '內文不要再放 --- 前置資料，請用上方欄位填寫'
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors }
  const meta = { ...parsed.data, ...(eligibility ? { eligibility } : {}) }
  if (!eligibility) delete meta.eligibility
  return { ok: true, document: { meta, body, path: `console:${parsed.data.id}` } }
}

/** A readable kebab-case id from a file name; Chinese names fall back to a dated id. */
export function idFromName(name: string, now: Date): string {
  const base = name.replace(/\.[a-z0-9]+$/i, '').normalize('NFKD').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')
  return base.length >= 3 ? base.slice(0, 60).replace(/-+$/, '') : `doc-${now.toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 6)}`
}

/**
 * An unanswered question from 洞察, added as a phrasing to the card it is most like (its section's
 * heading and phrasings), so the same question finds that section next time. Undefined: no cards.
 */
export function addPhrasing(cards: AnswerCard[], question: string): { cards: AnswerCard[]; section: string } | undefined {
  if (cards.length === 0) return undefined
  const score = (c: AnswerCard) => Math.max(...[c.section, c.lead, ...c.asks].map((t) => phrasingSimilarity(question, t)))
  const best = cards.reduce((a, b) => (score(b) > score(a) ? b : a))
  return {
    section: best.section,
    cards: cards.map((c) => (c === best && !c.asks.includes(question) ? { ...c, asks: [...c.asks, question].slice(-12) } : c)),
  }
}
