import { Hono } from 'hono'
import type { ConsoleEnv } from '../console/auth.js'
import type { ConsoleDeps } from '../console/deps.js'
import { kbRoutes } from './kb-routes.js'
import { learnRoutes } from './learn.js'
import { dataFileRoutes } from './data-files.js'
import { campaignRoutes } from './campaigns.js'

/** The PMO console: knowledge documents, try-it, learn (gaps, statistics), data files, campaigns. */
export function pmoRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>()
  app.route('/', kbRoutes(deps))
  app.route('/', learnRoutes(deps))
  app.route('/', dataFileRoutes(deps))
  app.route('/', campaignRoutes(deps))
  return app
}
