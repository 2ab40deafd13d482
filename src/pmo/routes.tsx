import { Hono } from 'hono'
import type { ConsoleEnv } from '../console/auth.js'
import type { ConsoleDeps } from '../console/app.js'

/** The PMO console: knowledge documents, try-it, learn (gaps, statistics), data files. */
export function pmoRoutes(_deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>()
  return app
}
