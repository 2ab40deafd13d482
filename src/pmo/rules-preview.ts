import { evaluate, type Verdict } from '../eligibility/engine.js'
import { readQuestion } from '../eligibility/extract.js'
import { recommend } from '../eligibility/recommend.js'
import { withPublishedProgrammes, type Programme, type ProgrammeRules } from '../eligibility/rules.js'

/** One sample firm against a programme's rules being edited: the verdict and the rule that decides it. */
export interface SampleVerdict {
  firm: string
  says: string
  verdict: Verdict
  /** The failing rules (not eligible) or those left to confirm (needs checking). */
  because: string[]
}

/** The rules file's sample firms, read as the bot reads an owner, against the programme as edited. */
export function sampleVerdicts(base: ProgrammeRules, programme: Programme, now: Date): SampleVerdict[] {
  const rules = withPublishedProgrammes(base, [programme])
  return base.sample_firms.map((firm) => {
    const { facts } = readQuestion(firm.says, rules)
    const r = recommend(evaluate(rules, facts, now, { programmes: [programme.id] }), rules, facts)
    const e = [...r.eligible, ...r.checking, ...r.notEligible][0]!
    return { firm: firm.name, says: firm.says, verdict: e.verdict, because: (e.verdict === 'not-eligible' ? e.failed : e.toCheck).map((x) => x.rule.label) }
  })
}
