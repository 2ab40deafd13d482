import { z } from 'zod'
import sources from '../../knowledge/sources.json' with { type: 'json' }

const documents = z.object({ documents: z.record(z.string().regex(/^\d{3}$/), z.string().min(2)) }).parse(sources).documents

/** The real name of a source document, as users may read it (data: knowledge/sources.json). */
export function sourceName(number: string): string {
  const name = documents[number]
  if (!name) throw new Error(`knowledge/sources.json has no document ${number}`)
  return name
}
