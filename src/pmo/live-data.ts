import { eq, max } from 'drizzle-orm'
import { parseDefinition, type AssessmentDefinition } from '../assessment/definition.js'
import { dataFiles } from '../db/schema.js'
import type { Db } from '../db/types.js'
import { parseProgrammeRules, withPublishedProgrammes, type ProgrammeRules } from '../eligibility/rules.js'
import { publishedKey, publishedProgrammes } from '../eligibility/published.js'
import type { Logger } from '../log.js'

/**
 * Programme rules and the assessment as PMO staff last saved them in the console (data_files),
 * falling back to the bundled YAML files. The bot asks for the current pair on every message; the
 * database is consulted at most every `ttlMs` and a file is parsed again only when its newest row id
 * changed — so a saved change reaches the bot within seconds, with no restart, on every instance.
 * Node and Workers use the same code (no file system here); the cache outlives a database connection
 * (on Workers it lives as long as the isolate, while each request brings its own connection).
 */

export interface LiveDataFiles {
  assessment: AssessmentDefinition
  rules: ProgrammeRules
  /** Changes whenever either file does (ids of the rows in use; 0: the bundled file). */
  key: string
}

export interface DataFileSource {
  /** The newest files, read through `db` when the cache is older than its time to live. */
  current(db: Db): Promise<LiveDataFiles>
}

export const DATA_FILE_TTL_MS = 3_000

export function createDataFileSource(bundled: { assessment: AssessmentDefinition; rules: ProgrammeRules }, options: { ttlMs?: number; log?: Logger } = {}): DataFileSource {
  const ttl = options.ttlMs ?? DATA_FILE_TTL_MS
  /** `fileRules`: the rules file alone; `rules`: with the programmes published in documents. */
  let state = { ...bundled, fileRules: bundled.rules, ids: { programmes: 0, assessment: 0 }, published: '0', key: '0:0:0' }
  let checkedAt = -Infinity
  let inFlight: Promise<void> | undefined

  async function refresh(db: Db): Promise<void> {
    const newest = await db.select({ name: dataFiles.name, id: max(dataFiles.id) }).from(dataFiles).groupBy(dataFiles.name)
    const idOf = (name: string) => newest.find((r) => r.name === name)?.id ?? 0
    const next = { ...state, ids: { ...state.ids } }
    for (const name of ['programmes', 'assessment'] as const) {
      const id = idOf(name)
      if (id === state.ids[name]) continue
      if (id === 0) {
        if (name === 'programmes') next.fileRules = bundled.rules
        else next.assessment = bundled.assessment
        next.ids[name] = 0
        continue
      }
      const [row] = await db.select({ content: dataFiles.content }).from(dataFiles).where(eq(dataFiles.id, id))
      const content = row?.content ?? ''
      try {
        // Saved rows were validated by the console; parsing again guards against a schema that changed since.
        if (name === 'programmes') next.fileRules = parseProgrammeRules(content, `data_files #${id}`)
        else next.assessment = parseDefinition(content, `data_files #${id}`)
        next.ids[name] = id
      } catch (error) {
        options.log?.error('saved data file is invalid; keeping the previous one', { name, id, error: String(error) })
      }
    }
    const published = await publishedKey(db)
    if (published !== state.published || next.fileRules !== state.fileRules) {
      try {
        next.rules = withPublishedProgrammes(next.fileRules, await publishedProgrammes(db))
        next.published = published
      } catch (error) {
        options.log?.error('published programme rules do not fit the rules file; using the file alone', { error: String(error) })
        next.rules = next.fileRules
        next.published = published
      }
    }
    next.key = `${next.ids.programmes}:${next.ids.assessment}:${next.published}`
    state = next
  }

  return {
    async current(db) {
      if (performance.now() - checkedAt >= ttl) {
        inFlight ??= refresh(db)
          .catch((error: unknown) => options.log?.error('reading data files failed; keeping the previous ones', { error: String(error) }))
          .finally(() => {
            checkedAt = performance.now()
            inFlight = undefined
          })
        await inFlight
      }
      return { assessment: state.assessment, rules: state.rules, key: state.key }
    },
  }
}
