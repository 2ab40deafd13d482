import { text } from '../chat/messages.js'
import type { Route } from '../chat/types.js'
import type { Db } from '../db/types.js'
import { FIRM_STATE_KEY, factsSchema } from '../eligibility/engine.js'
import { formatRange } from '../eligibility/numbers.js'
import type { ProgrammeRules } from '../eligibility/rules.js'
import { outreachCopy as c } from './copy.js'
import { myDataView, readRequest, subscriptionStep } from './steps.js'
import { loadStoredAboutUser, loadSubscriptions } from './store.js'

/** Subscriptions with consent and 「我的資料」: load → step (steps.ts) → replies and effects. 1:1 chats only. */
export function outreachRoutes(deps: { db: Db; rules: ProgrammeRules }): Route[] {
  const route: Route = async (input, ctx) => {
    const request = readRequest(input)
    if (!request) return undefined
    if (ctx.chatType !== 'user' || !ctx.userId) return { intent: 'outreach-private-only', replies: [text(c.privateOnly)] }
    const current = await loadSubscriptions(deps.db, ctx.userId)
    if (request.kind !== 'my-data') return subscriptionStep(request, current)
    return myDataView(await loadStoredAboutUser(deps.db, ctx.userId), firmFacts(ctx.state[FIRM_STATE_KEY], deps.rules), current)
  }
  return [route]
}

/** What the bot knows of the firm, in words (industry, region, size). */
function firmFacts(state: unknown, rules: ProgrammeRules): string[] {
  const facts = factsSchema.safeParse(state ?? {}).data
  if (!facts) return []
  const out: string[] = []
  if (facts.industry) out.push(rules.industries.find((i) => i.id === facts.industry)?.name ?? facts.industry)
  if (facts.region) out.push(facts.region)
  if (facts.employees) out.push(`員工 ${formatRange('people', facts.employees)}`)
  return out
}
