import type { messagingApi } from '@line/bot-sdk'
import { copy } from '../chat/copy.js'
import { messageItem, postbackItem, text } from '../chat/messages.js'
import { trackShortName, verdictLabel } from '../eligibility/format.js'
import type { ProgrammeRules } from '../eligibility/rules.js'
import type { LineMessage } from '../line/limits.js'
import { assessmentCopy as c } from './copy.js'
import type { AssessmentDefinition } from './definition.js'
import { assessData } from './messages.js'
import type { AssessmentResult, ProgrammeFit } from './scoring.js'

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

/** One entry per programme: its tracks' verdicts, the reasons (failures first), what is left to confirm, the window. */
function programmeBlocks(rules: ProgrammeRules, result: AssessmentResult, documents: Record<string, DocumentRef>): { title: string; lines: string[]; cite: string }[] {
  const groups = new Map<string, ProgrammeFit[]>()
  for (const p of result.programmes) groups.set(p.programme, [...(groups.get(p.programme) ?? []), p])
  return [...groups.values()].map((fits, i) => {
    const programme = rules.programmes.find((p) => p.id === fits[0]!.programme)
    const title = programme?.short_name ?? fits[0]!.name
    const trackName = (id: string) => trackShortName(programme?.tracks.find((tr) => tr.id === id)?.name ?? id)
    const verdicts = new Set(fits.map((f) => f.verdict)).size === 1 ? [verdictLabel(fits[0]!.verdict)] : fits.map((f) => `${trackName(f.track)} ${verdictLabel(f.verdict)}`)
    const seen = new Set<string>()
    const all = fits.flatMap((f) => f.lines).filter((l) => !seen.has(l.text) && seen.add(l.text))
    const failed = all.filter((l) => l.outcome === 'fail').map((l) => l.text)
    const passed = all.filter((l) => l.outcome === 'pass').map((l) => l.text)
    const unknown = all.filter((l) => l.outcome === 'unknown').map((l) => l.label)
    const lines = failed.length > 0 ? failed : [...passed, ...(unknown.length > 0 ? [`❔ 還需確認：${unknown.join('、')}`] : [])]
    const window = fits[0]!.window === 'closed' ? '⏰ 上一梯次已截止，請留意新公告' : fits[0]!.window === 'open' ? '⏰ 受理中' : fits[0]!.window === 'upcoming' ? '⏰ 尚未開始受理' : '⏰ 尚未公告受理日期'
    const doc = documents[fits[0]!.document]
    const cite = `〔${i + 1}〕${doc ? `${doc.title}${doc.sourceDate ? `（資料日期 ${doc.sourceDate}）` : ''}` : `${programme?.name ?? title}：申請資格`}`
    return { title, lines: [verdicts.join('｜'), ...lines, ...(failed.length > 0 ? [] : [window])], cite }
  })
}

/** The result as plain text: the Flex card's fallback (altText). */
export function resultText(def: AssessmentDefinition, rules: ProgrammeRules, result: AssessmentResult, documents: Record<string, DocumentRef> = {}): string {
  const o = result.overall
  const lines = [c.result.altTitle(date(result.completedAt))]
  lines.push(o.level !== null ? `${c.result.overall(o.level, def.levels[o.level - 1]!.name)}（平均 ${o.average!.toFixed(1)}）` : c.result.overallNone(def.min_answered_for_overall))
  lines.push(...changeLines(result))
  lines.push(`${c.result.bars}：${result.functions.map((f) => `${functionName(def, f.id)} ${f.level ?? c.result.skippedBar}`).join('、')}`)
  if (result.weakest.length > 0) lines.push(`${c.result.weakest}：${result.weakest.map((id) => functionName(def, id)).join('、')}`)
  if (result.tools.length > 0) lines.push(`${c.result.tools}：${toolLines(def, result).join('、')}`)
  lines.push(`${c.result.programmes}：`)
  for (const b of programmeBlocks(rules, result, documents)) lines.push(`・${b.title}：${b.lines.join('；')}`)
  lines.push(...programmeBlocks(rules, result, documents).map((b) => b.cite), sourcesLine(def, documents))
  const out = lines.join('\n')
  return Array.from(out).length > ALT_TEXT_MAX ? `${Array.from(out).slice(0, ALT_TEXT_MAX - 1).join('')}…` : out
}

function sourcesLine(def: AssessmentDefinition, documents: Record<string, DocumentRef>): string {
  return c.result.sources(documents[def.levels_document]?.title ?? def.levels_source, documents[def.tool_categories_document]?.title ?? def.tool_categories_source)
}

function levelBubble(def: AssessmentDefinition, result: AssessmentResult, documents: Record<string, DocumentRef>): FlexBubble {
  const o = result.overall
  const body: FlexComponent[] = [small('整體數位程度')]
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
      const survey = def.functions.find((f) => f.id === id)?.survey
      if (survey) body.push(small(`📈 ${survey}`))
    }
  }
  if (result.tools.length > 0) {
    body.push(t(c.result.tools, { weight: 'bold', margin: 'md' }))
    for (const line of toolLines(def, result)) body.push(small(`• ${line}`, '#333333'))
  }
  body.push(sep(), small(c.result.rule, '#999999'), small(sourcesLine(def, documents), '#999999'))
  return {
    type: 'bubble',
    size: 'giga',
    header: { type: 'box', layout: 'vertical', backgroundColor: BRAND, contents: [t(c.result.header, { color: '#FFFFFF', weight: 'bold', size: 'md' }), small(date(result.completedAt), '#E0F2EF')] },
    body: { type: 'box', layout: 'vertical', spacing: 'sm', contents: body },
  }
}

function programmeBubble(rules: ProgrammeRules, result: AssessmentResult, documents: Record<string, DocumentRef>): FlexBubble {
  const blocks = programmeBlocks(rules, result, documents)
  const body: FlexComponent[] = []
  if (result.programmes.every((p) => p.verdict === 'not-eligible')) body.push(small(c.result.noProgrammes, '#333333'))
  blocks.forEach((b, i) => {
    if (i > 0) body.push(sep())
    body.push(t(b.title, { weight: 'bold', margin: 'md' }))
    for (const line of b.lines) body.push(small(line, '#333333'))
  })
  body.push(sep(), small(c.result.programmesNote, '#999999'), t('📄 資料來源', { size: 'xs', weight: 'bold', margin: 'md' }), ...blocks.map((b) => small(b.cite, '#999999')))
  return {
    type: 'bubble',
    size: 'giga',
    header: { type: 'box', layout: 'vertical', backgroundColor: '#1F4E79', contents: [t(`🏛️ ${c.result.programmes}`, { color: '#FFFFFF', weight: 'bold', size: 'md' })] },
    body: { type: 'box', layout: 'vertical', spacing: 'sm', contents: body },
  }
}

export function resultQuickReplies(def: AssessmentDefinition, assessmentId: string, result: AssessmentResult): messagingApi.QuickReplyItem[] {
  const focus = def.functions.find((f) => f.id === result.weakest[0]) ?? def.functions[0]!
  return [
    postbackItem(c.quick.consultant, `action=consultant&assessment=${assessmentId}`, '找顧問談健檢結果'),
    messageItem(c.quick.similarCase, focus.case_query),
    postbackItem(c.quick.later, assessData('assess-later'), '之後再測'),
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
      quickReply: { items: resultQuickReplies(def, assessmentId, result) },
    },
  ]
}
