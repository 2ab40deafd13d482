import { sql } from 'drizzle-orm'
import type { Db } from '../db/types.js'
import { rowsOf } from '../db/types.js'
import { parseDocument, type FrontMatter } from '../knowledge/frontmatter.js'
import { programmeSchema, type Programme } from './rules.js'

/**
 * Programmes whose rules PMO staff published with the programme's own document in the console:
 * they join the rules file's programmes within seconds of publishing, on every instance.
 */

/** The document's rules as a full programme entry: its id and document default to the document's. */
export function programmeOfDocument(meta: FrontMatter): Programme | undefined {
  if (!meta.eligibility || meta.kind !== 'programme') return undefined
  return programmeSchema.parse({ ...meta.eligibility, id: meta.eligibility.id ?? meta.programme ?? meta.id, document: meta.eligibility.document ?? meta.id })
}

/** Changes whenever a document is published, retired or restored. */
export async function publishedKey(db: Db): Promise<string> {
  const row = rowsOf<{ id: number | null }>(await db.execute(sql`SELECT max(id) AS id FROM kb_document_versions WHERE state <> 'draft'`))[0]
  return String(row?.id ?? 0)
}

/** The live (newest published, not retired) version of every console document that carries rules. */
export async function publishedProgrammes(db: Db): Promise<Programme[]> {
  const rows = rowsOf<{ document_id: string; state: string; markdown: string }>(
    await db.execute(sql`
      SELECT DISTINCT ON (document_id) document_id, state, markdown
      FROM kb_document_versions WHERE state <> 'draft'
      ORDER BY document_id, version DESC`),
  )
  const out: Programme[] = []
  for (const r of rows) {
    if (r.state !== 'published' || !/^eligibility:/m.test(r.markdown)) continue
    const parsed = parseDocument(r.document_id, r.markdown)
    try {
      const programme = parsed.ok ? programmeOfDocument(parsed.document.meta) : undefined
      if (programme) out.push(programme)
    } catch {
      // Saved versions were validated by the console; one that no longer parses is left out, not fatal.
    }
  }
  return out
}
