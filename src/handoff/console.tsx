import { Hono } from 'hono'
import type { ConsoleEnv } from '../console/auth.js'
import type { ConsoleDeps } from '../console/app.js'

/** The consultant console: inbox, case page, replies, notes, reassign, resolve. */
export function caseConsoleRoutes(_deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>()
  return app
}
