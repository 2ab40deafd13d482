import { parse as parseYaml } from 'yaml'
import { z } from 'zod'

const partialDate = z.union([z.string(), z.date(), z.number()]).transform((v, ctx) => {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : String(v)
  if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(s)) {
    ctx.addIssue({ code: 'custom', message: `expected YYYY, YYYY-MM or YYYY-MM-DD, got "${s}"` })
    return z.NEVER
  }
  return s
})

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
  return { ok: true, document: { meta: parsed.data, body, path } }
}
