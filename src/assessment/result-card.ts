import type { messagingApi } from '@line/bot-sdk'
import { copy } from '../chat/copy.js'
import { messageItem, postbackItem, text } from '../chat/messages.js'
import { evaluate } from '../eligibility/engine.js'
import { checkingNote, describeFacts, mainReason, trackNote, windowTag } from '../eligibility/format.js'
import { recommend } from '../eligibility/recommend.js'
import type { Programme, ProgrammeRules } from '../eligibility/rules.js'
import type { LineMessage } from '../line/limits.js'
import { assessmentCopy as c } from './copy.js'
import { surveyFor, wordingFor, type AssessmentDefinition } from './definition.js'
import { assessData } from './messages.js'
import type { AssessmentResult } from './scoring.js'

type FlexComponent = messagingApi.FlexComponent
type FlexBubble = messagingApi.FlexBubble

/** A knowledge document a programme's rules cite, as indexed (title and date); absent when not indexed. */
export interface DocumentRef {
  title: string
  sourceDate: string | null
}

/** LINE accepts at most 1,500 characters of altText. */
const ALT_TEXT_MAX = 1500
const LEVEL_COLORS = ['#D9534F', '#F0AD4E', '#5BC0DE', '#2E86DE', '#1E8449']
const BRAND = '#0E7C66'

const t = (value: string, extra: Partial<messagingApi.FlexText> = {}): FlexComponent => ({ type: 'text', text: value, wrap: true, size: 'sm', ...extra })
const small = (value: string, color = '#666666'): FlexComponent => t(value, { size: 'xs', color })
const sep = (): FlexComponent => ({ type: 'separator', margin: 'md' })

function date(iso: string): string {
  return new Date(iso).toLocaleDateString('sv-SE', { timeZone: 'Asia/Taipei' })
}

function functionName(def: AssessmentDefinition, id: string): string {
  return def.functions.find((f) => f.id === id)?.name ?? id
}

function bar(name: string, level: number | null): FlexComponent {
  const filled: FlexComponent[] = level
    ? [{ type: 'box', layout: 'vertical', contents: [{ type: 'filler' }], width: `${level * 20}%`, height: '8px', backgroundColor: LEVEL_COLORS[level - 1], cornerRadius: '4px' }]
    : [{ type: 'filler' }]
  return {
    type: 'box',
    layout: 'horizontal',
    spacing: 'sm',
    alignItems: 'center',
    contents: [
      t(name, { size: 'xs', flex: 4 }),
      { type: 'box', layout: 'vertical', flex: 5, height: '8px', backgroundColor: '#E5E7EB', cornerRadius: '4px', contents: filled },
      t(level ? `${level}` : c.result.skippedBar, { size: 'xs', flex: 1, align: 'end', color: '#333333' }),
    ],
  }
}

function changeLines(result: AssessmentResult): string[] {
  const ch = result.change
  if (!ch || ch.previousLevel === null || result.overall.level === null) return []
  const lines = [c.result.change(ch.previousLevel, result.overall.level, date(ch.previousAt))]
  if (ch.delta !== null && ch.delta > 0) lines.push(c.result.up(ch.delta))
  else if (ch.delta !== null && ch.delta < 0) lines.push(c.result.down(-ch.delta))
  else lines.push(c.result.same)
  if (ch.previousAverage !== null && result.overall.average !== null) lines.push(c.result.averageChange(ch.previousAverage.toFixed(1), result.overall.average.toFixed(1)))
  return lines
}

function changedFunctions(def: AssessmentDefinition, result: AssessmentResult): string {
  return (result.change?.functions ?? [])
    .filter((f) => f.before !== f.after)
    .map((f) => c.result.functionChange(functionName(def, f.id), f.before === null ? '–' : String(f.before), f.after === null ? '–' : String(f.after)))
    .join('、')
}

function toolLines(def: AssessmentDefinition, result: AssessmentResult): string[] {
  return result.tools.map((tool) => {
    const cat = def.tool_categories.find((x) => x.id === tool.id)!
    return c.result.toolLine(cat.name, cat.examples.join('、'))
  })
}

/** The shown programmes of the ranked recommendation: what fits first, then what needs checking. */
interface ProgrammeView {
  lines: { text: string; bold?: boolean }[]
  cites: string[]
}

function ranked(rules: ProgrammeRules, result: AssessmentResult) {
  return recommend(evaluate(rules, result.facts, new Date(result.completedAt)), rules, result.facts)
}

function citeOf(p: Programme, documents: Record<string, DocumentRef>, n: number): string {
  const doc = documents[p.document]
  return `〔${n}〕${doc ? `${doc.title}${doc.sourceDate ? c.result.sourceDate(doc.sourceDate) : ''}` : c.result.eligibilityOf(p.name)}`
}

function programmeView(rules: ProgrammeRules, result: AssessmentResult, documents: Record<string, DocumentRef>): ProgrammeView {
  const r = ranked(rules, result)
  const cited: Programme[] = []
  const n = (p: Programme) => {
    const at = cited.findIndex((q) => q.document === p.document)
    if (at >= 0) return at + 1
    cited.push(p)
    return cited.length
  }
  const lines: ProgrammeView['lines'] = []
  const eligible = r.eligible.slice(0, SHOWN)
  const checking = r.checking.slice(0, SHOWN)
  if (eligible.length > 0) {
    lines.push({ text: c.result.eligible(r.eligible.length), bold: true })
    for (const e of eligible) lines.push({ text: `・${e.programme.short_name}${trackNote(e)}〔${n(e.programme)}〕：${e.programme.summary ?? e.tracks[0]!.benefit}｜${windowTag(e)}` })
  }
  if (checking.length > 0) {
    lines.push({ text: c.result.checking(r.checking.length), bold: true })
    for (const e of checking) lines.push({ text: `・${e.programme.short_name}${trackNote(e)}〔${n(e.programme)}〕：${checkingNote(e)}｜${windowTag(e)}` })
  }
  const hidden = r.eligible.length - eligible.length + r.checking.length - checking.length
  if (hidden > 0) lines.push({ text: c.result.moreProgrammes(hidden) })
  if (eligible.length + checking.length === 0) lines.push({ text: c.result.nothingFits(r.notEligible.length, mainReason(r.notEligible) ?? '') })
  else {
    if (!r.openNow) lines.push({ text: c.result.nothingOpenNow })
    if (r.notEligible.length > 0) lines.push({ text: c.result.notEligible(r.notEligible.length, mainReason(r.notEligible) ?? '') })
  }
  return { lines, cites: cited.map((p, i) => citeOf(p, documents, i + 1)) }
}

/** Programmes per group on the card; the rest are one tap away. */
const SHOWN = 3

/** The result as plain text: the Flex card's fallback (altText). */
export function resultText(def: AssessmentDefinition, rules: ProgrammeRules, result: AssessmentResult, documents: Record<string, DocumentRef> = {}): string {
  const o = result.overall
  const lines = [c.result.altTitle(date(result.completedAt))]
  lines.push(o.level !== null ? `${c.result.overall(o.level, def.levels[o.level - 1]!.name)}${c.result.averageShort(o.average!.toFixed(1))}` : c.result.overallNone(def.min_answered_for_overall))
  lines.push(...changeLines(result))
  lines.push(`${c.result.bars}：${result.functions.map((f) => `${functionName(def, f.id)} ${f.level ?? c.result.skippedBar}`).join('、')}`)
  if (result.weakest.length > 0) lines.push(`${c.result.weakest}：${result.weakest.map((id) => functionName(def, id)).join('、')}`)
  if (result.tools.length > 0) lines.push(`${c.result.tools}：${toolLines(def, result).join('、')}`)
  lines.push(`${c.result.programmes}：`)
  const view = programmeView(rules, result, documents)
  lines.push(...view.lines.map((l) => l.text), ...view.cites, sourcesLine(def, documents))
  const out = lines.join('\n')
  return Array.from(out).length > ALT_TEXT_MAX ? `${Array.from(out).slice(0, ALT_TEXT_MAX - 1).join('')}…` : out
}

function sourcesLine(def: AssessmentDefinition, documents: Record<string, DocumentRef>): string {
  return c.result.sources(documents[def.levels_document]?.title ?? def.levels_source, documents[def.tool_categories_document]?.title ?? def.tool_categories_source)
}

function levelBubble(def: AssessmentDefinition, result: AssessmentResult, documents: Record<string, DocumentRef>): FlexBubble {
  const o = result.overall
  const body: FlexComponent[] = [small(c.result.overallTitle)]
  if (o.level !== null) {
    body.push({ type: 'box', layout: 'baseline', spacing: 'sm', contents: [t(c.levelsUnit(o.level), { size: 'xxl', weight: 'bold', color: BRAND, flex: 0 }), t(def.levels[o.level - 1]!.name, { size: 'md', flex: 0 })] })
    body.push(small(c.result.average(o.average!.toFixed(1), o.answered, o.total)))
  } else {
    body.push(t(c.result.overallNone(def.min_answered_for_overall)))
  }
  for (const [i, line] of changeLines(result).entries()) body.push(t(line, i === 1 ? { weight: 'bold', color: BRAND } : { size: 'xs' }))
  const changed = changedFunctions(def, result)
  if (changed) body.push(small(changed))
  body.push(sep(), t(c.result.bars, { weight: 'bold', margin: 'md' }))
  for (const f of result.functions) body.push(bar(functionName(def, f.id), f.level))
  if (result.weakest.length > 0) {
    body.push(sep(), t(c.result.weakest, { weight: 'bold', margin: 'md' }), t(result.weakest.map((id) => functionName(def, id)).join('、')))
    for (const id of result.weakest) {
      const f = def.functions.find((x) => x.id === id)
      const survey = f && surveyFor(def, f, result.facts.industry, result.facts.employees)
      if (survey) body.push(small(`📈 ${survey}`))
    }
  }
  if (result.tools.length > 0) {
    body.push(t(c.result.tools, { weight: 'bold', margin: 'md' }))
    for (const line of toolLines(def, result)) body.push(small(`• ${line}`, '#333333'))
  }
  body.push(sep(), small(o.level !== null ? c.result.ruleApplied(o.average!.toFixed(1), o.level) : c.result.rule, '#999999'), small(sourcesLine(def, documents), '#999999'))
  return {
    type: 'bubble',
    size: 'giga',
    header: { type: 'box', layout: 'vertical', backgroundColor: BRAND, contents: [t(c.result.header, { color: '#FFFFFF', weight: 'bold', size: 'md' }), small(date(result.completedAt), '#E0F2EF')] },
    body: { type: 'box', layout: 'vertical', spacing: 'sm', contents: body },
  }
}

function programmeBubble(rules: ProgrammeRules, result: AssessmentResult, documents: Record<string, DocumentRef>): FlexBubble {
  const view = programmeView(rules, result, documents)
  const body: FlexComponent[] = view.lines.map((l) => (l.bold ? t(l.text, { weight: 'bold', margin: 'md' }) : small(l.text, '#333333')))
  body.push(sep(), small(c.result.programmesNote, '#999999'), t(c.result.sourcesTitle, { size: 'xs', weight: 'bold', margin: 'md' }), ...view.cites.map((cite) => small(cite, '#999999')))
  return {
    type: 'bubble',
    size: 'giga',
    header: { type: 'box', layout: 'vertical', backgroundColor: '#1F4E79', contents: [t(`🏛️ ${c.result.programmes}`, { color: '#FFFFFF', weight: 'bold', size: 'md' })] },
    body: { type: 'box', layout: 'vertical', spacing: 'sm', contents: body },
  }
}

/** The industry answer in the shape wordingFor reads. */
function industryAnswers(result: AssessmentResult): Record<string, unknown> {
  return result.facts.industry ? { industry: { option: result.facts.industry } } : {}
}

export function resultQuickReplies(def: AssessmentDefinition, assessmentId: string, result: AssessmentResult, rules?: ProgrammeRules): messagingApi.QuickReplyItem[] {
  const focus = def.functions.find((f) => f.id === result.weakest[0]) ?? def.functions[0]!
  // The whole list (and why others do not fit) as the eligibility answer, from the facts the owner gave here.
  const facts = describeFacts(result.facts, rules)
  return [
    postbackItem(c.quick.consultant, `action=consultant&assessment=${assessmentId}`, c.result.consultantShown),
    ...(facts ? [messageItem(c.result.allProgrammesLabel, c.result.allProgrammesSays)] : []),
    messageItem(c.quick.similarCase, wordingFor(def, { section: 'function', q: focus }, industryAnswers(result)).caseQuery ?? focus.case_query),
    postbackItem(c.quick.later, assessData('assess-later'), c.result.laterShown),
    postbackItem(copy.quick.menu, 'action=menu', copy.quick.menu),
  ]
}

/** The finished assessment: a short thanks, then a two-page Flex carousel with the text fallback as altText. */
export function resultMessages(def: AssessmentDefinition, rules: ProgrammeRules, assessmentId: string, result: AssessmentResult, ack?: string, documents: Record<string, DocumentRef> = {}): LineMessage[] {
  return [
    text([ack, c.done].filter(Boolean).join('\n')),
    {
      type: 'flex',
      altText: resultText(def, rules, result, documents),
      contents: { type: 'carousel', contents: [levelBubble(def, result, documents), programmeBubble(rules, result, documents)] },
      quickReply: { items: resultQuickReplies(def, assessmentId, result, rules) },
    },
  ]
}
