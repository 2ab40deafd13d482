import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { documentProgrammeSchema } from '../eligibility/rules.js'

const partialDate = z.union([z.string(), z.date(), z.number()]).transform((v, ctx) => {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v)
  if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: `expected YYYY, YYYY-MM or YYYY-MM-DD, got "${s}"` })
    return z.NEVER
  }
  return s
})

/**
 * An answer card: the short lead answer of one `##` section and the ways an SME owner would ask
 * for it. The lead is what the offline bot says first; the phrasings are searched with the section.
 */
export const answerCardSchema = z.strictObject({
  /** The `##` heading of the section this card summarises, exactly as written. */
  section: z.string().min(1),
  /** One or two sentences with the key figures, in zh-TW, about 120 characters. */
  lead: z.string().min(8).max(220),
  /** The same lead in English, for questions asked in English. */
  lead_en: z.string().min(8).max(400).optional(),
  /** How people ask for it: everyday words, some in English. */
  asks: z.array(z.string().min(2)).min(1).max(12),
})
export type AnswerCard = z.infer<typeof answerCardSchema>

/** The front-matter every knowledge document carries (see knowledge/README.md). */
export const frontMatterSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase ascii kebab-case'),
  title: z.string().min(2),
  kind: z.enum(['programme', 'case', 'reference', 'faq']),
  programme: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase ascii kebab-case').optional(),
  source: z.string().min(3),
  source_date: partialDate.optional(),
  status: z.enum(['current', 'closed', 'planned']),
  application_window: z.strictObject({ opens: partialDate.optional(), closes: partialDate.optional() }).optional(),
  tags: z.array(z.string()).default([]),
  cards: z.array(answerCardSchema).default([]),
  /** A programme document's eligibility rules (kind programme only), as the rules file words them. */
  eligibility: documentProgrammeSchema.optional(),
})
export type FrontMatter = z.infer<typeof frontMatterSchema>

export interface KnowledgeDocument {
  meta: FrontMatter
  /** Markdown body without the front-matter. */
  body: string
  /** Where it came from (path relative to the knowledge folder, or a console reference). */
  path: string
}

export interface DocumentIssue {
  file: string
  field: string
  message: string
}

export type ParseResult = { ok: true; document: KnowledgeDocument } | { ok: false; issues: DocumentIssue[] }

/** Splits `---` front-matter from a Markdown file and validates it; errors name the file and the field. */
export function parseDocument(path: string, source: string): ParseResult {
  const match = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(source)
  if (!match) return { ok: false, issues: [{ file: path, field: '(front-matter)', message: 'missing the --- front-matter block at the top' }] }
  let data: unknown
  try {
    data = parseYaml(match[1]!)
  } catch (error) {
    return { ok: false, issues: [{ file: path, field: '(front-matter)', message: `invalid YAML: ${(error as Error).message.split('\n')[0]}` }] }
  }
  const parsed = frontMatterSchema.safeParse(data ?? {})
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ file: path, field: i.path.join('.') || '(front-matter)', message: i.message })),
    }
  }
  const body = match[2]!.trim()
  if (body.length === 0) return { ok: false, issues: [{ file: path, field: '(body)', message: 'the document has no content' }] }
  const headings = new Set(sectionHeadings(body))
  const cardIssues = parsed.data.cards.flatMap((card, i) =>
    headings.has(card.section) ? [] : [{ file: path, field: `cards.${i}.section`, message: `no "## ${card.section}" heading in the body` }],
  )
  if (cardIssues.length > 0) return { ok: false, issues: cardIssues }
  return { ok: true, document: { meta: parsed.data, body, path } }
}

/** The `##` headings of a Markdown body (the sections that cards summarise). */
export function sectionHeadings(body: string): string[] {
  return [...body.matchAll(/^##\s+(.+?)\s*#*\s*$/gm)].map((m) => m[1]!)
}
