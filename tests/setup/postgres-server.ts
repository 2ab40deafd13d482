import { execFile } from 'node:child_process'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { TestProject } from 'vitest/node'

const run = promisify(execFile)

declare module 'vitest' {
  export interface ProvidedContext {
    /** A real PostgreSQL server with pgvector for the server-path suites, or why there is none. */
    postgres: { url: string } | { skipped: string }
  }
}

/**
 * Starts one throwaway PostgreSQL cluster (with pgvector built from Debian's source package) for the
 * whole run. TEST_DATABASE_URL reuses an existing server instead. If neither works, server suites
 * report themselves skipped with the reason.
 */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL
  if (given) {
    project.provide('postgres', { url: given })
    return
  }
  if (process.env.SKIP_POSTGRES_SERVER === '1') {
    project.provide('postgres', { skipped: 'SKIP_POSTGRES_SERVER=1' })
    return
  }
  const dir = await mkdtemp(join(tmpdir(), 'sme-pg-'))
  try {
    const { stdout } = await run('bash', ['scripts/pg-server.sh', 'start', dir], { timeout: 300_000 })
    const url = stdout.trim().split('\n').pop()!
    project.provide('postgres', { url })
    return async () => {
      await run('bash', ['scripts/pg-server.sh', 'stop', dir]).catch(() => {})
    }
  } catch (error) {
    const reason = `no PostgreSQL server: ${(error as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') || (error as Error).message}`
    project.provide('postgres', { skipped: reason })
    return undefined
  }
}
