import type { Session } from '../../console/auth.js'
import { formatTime } from '../../console/layout.js'
import type { QuestionGroup } from '../grouping.js'
import type { CampaignSummary } from '../../outreach/campaigns.js'
import type { CaseStats, DailyRow, LevelStats, Summary, TopicRow } from '../stats.js'
import { BarChart, LineChart } from './charts.js'

export interface AnswerSummaryView {
  summary: Summary
  daily: DailyRow[]
  topics: TopicRow[]
  cases: CaseStats
  levels: LevelStats
  /** The latest campaigns, newest first. */
  campaigns: CampaignSummary[]
}
import { PmoPage } from './common.js'

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`)
const minutes = (v: number | null) => (v === null ? '—' : v < 60 ? `${v} 分鐘` : `${Math.round((v / 60) * 10) / 10} 小時`)

export function LearnPage(props: { session: Session; days: number; groups: QuestionGroup[]; view: AnswerSummaryView; titles: Map<string, string> }) {
  const { view, days } = props
  const s = view.summary
  const exportLink = (kind: string, label: string) => (
    <a class="button secondary" href={`/console/learn/export.csv?kind=${kind}&days=${days}`}>
      {label}
    </a>
  )
  return (
    <PmoPage title="洞察與統計" session={props.session} section="learn">
      <h1>洞察與統計</h1>
      <nav class="tabs" aria-label="期間">
        {[7, 30, 90, 365].map((d) => (
          <a href={`/console/learn?days=${d}`} class={d === days ? 'active' : ''}>
            近 {d} 天
          </a>
        ))}
      </nav>
      <div class="kpis" data-testid="kpis">
        <div class="kpi">
          <span class="muted">提問數</span>
          <b data-testid="kpi-questions">{s.questions}</b>
        </div>
        <div class="kpi">
          <span class="muted">可回答率</span>
          <b data-testid="kpi-coverage">{pct(s.coverage)}</b>
        </div>
        <div class="kpi">
          <span class="muted">有幫助／沒幫助</span>
          <b>
            {s.helpful}／{s.unhelpful}
          </b>
        </div>
        <div class="kpi">
          <span class="muted">轉真人案件（已結案）</span>
          <b>
            {view.cases.opened}（{view.cases.resolved}）
          </b>
        </div>
        <div class="kpi">
          <span class="muted">首次回覆中位數</span>
          <b>{minutes(view.cases.medianMinutes)}</b>
        </div>
        <div class="kpi">
          <span class="muted">再評測提升 1 級以上</span>
          <b data-testid="kpi-improved">
            {view.levels.improved}／{view.levels.retakers}
          </b>
        </div>
      </div>

      <div class="card">
        <h2>待補強的問題（依相似度分組）</h2>
        <p class="muted">機器人答不出來的問題，以及使用者按「沒幫助」的回答。每組可直接新增或修改文件補上。</p>
        {props.groups.length === 0 ? (
          <p class="muted">這段期間沒有答不出來或被標為沒幫助的問題。</p>
        ) : (
          <table class="responsive" data-testid="gap-groups">
            <thead>
              <tr>
                <th>問題</th>
                <th>次數</th>
                <th>類型</th>
                <th>最近</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {props.groups.slice(0, 50).map((g) => (
                <tr data-testid="gap-group">
                  <td>
                    <b>{g.representative}</b>
                    {g.questions.length > 1 ? (
                      <details>
                        <summary>其他問法（{g.questions.length - 1}）</summary>
                        <ul>
                          {[...new Set(g.questions.slice(1).map((q) => q.question))].slice(0, 8).map((q) => (
                            <li>{q}</li>
                          ))}
                        </ul>
                      </details>
                    ) : null}
                  </td>
                  <td data-testid="gap-count">{g.questions.length}</td>
                  <td>
                    {g.notCovered > 0 ? <span class="badge failed">答不出來 {g.notCovered}</span> : null}
                    {g.unhelpful > 0 ? <span class="badge draft">沒幫助 {g.unhelpful}</span> : null}
                  </td>
                  <td>{formatTime(g.lastAskedAt)}</td>
                  <td>
                    <a class="button" href={`/console/kb/new?q=${encodeURIComponent(g.representative)}`} data-testid="fill-gap">
                      用文件補上
                    </a>
                    {g.documents.slice(0, 2).map((d) => (
                      <div>
                        <a href={`/console/kb/doc/${encodeURIComponent(d)}/edit?q=${encodeURIComponent(g.representative)}`}>修改「{props.titles.get(d) ?? d}」</a>
                        {' · '}
                        <a href={`/console/kb/doc/${encodeURIComponent(d)}/edit?ask=${encodeURIComponent(g.representative)}`} data-testid="add-phrasing">
                          把這個問法加到答案卡片
                        </a>
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>{exportLink('gaps', '匯出 CSV')}</p>
      </div>

      <div class="grid">
        <div class="card">
          <h2>每日提問數與可回答數</h2>
          <LineChart
            title="每日提問數與可回答數"
            labels={view.daily.map((d) => d.day)}
            series={[
              { name: '提問', values: view.daily.map((d) => d.questions) },
              { name: '可回答', values: view.daily.map((d) => d.covered) },
            ]}
            testId="chart-daily"
          />
          <p>{exportLink('daily', '匯出每日 CSV')}</p>
        </div>
        <div class="card">
          <h2>每日可回答率</h2>
          <LineChart
            title="每日可回答率"
            labels={view.daily.map((d) => d.day)}
            series={[{ name: '可回答率', values: view.daily.map((d) => (d.questions ? d.covered / d.questions : null)) }]}
            max={1}
            percent
            testId="chart-coverage"
          />
        </div>
        <div class="card">
          <h2>熱門主題（被引用的文件）</h2>
          <BarChart title="熱門主題" bars={view.topics.map((t) => ({ label: t.title, value: t.answers }))} unit=" 次" testId="chart-topics" />
          <p>{exportLink('topics', '匯出 CSV')}</p>
        </div>
        <div class="card">
          <h2>轉真人案件</h2>
          <LineChart
            title="每日開案與結案"
            labels={view.daily.map((d) => d.day)}
            series={[
              { name: '開案', values: view.daily.map((d) => d.casesOpened) },
              { name: '結案', values: view.daily.map((d) => d.casesResolved) },
            ]}
            testId="chart-cases"
          />
          <p class="muted">
            首次回覆：平均 {minutes(view.cases.avgMinutes)}、中位數 {minutes(view.cases.medianMinutes)}、90% 在 {minutes(view.cases.p90Minutes)} 內（{view.cases.responded} 件已回覆，{view.cases.open} 件處理中）
          </p>
          <BarChart title="首次回覆時間分布" bars={view.cases.buckets.map((b) => ({ label: b.label, value: b.cases }))} unit=" 件" testId="chart-response" />
          <p>{exportLink('cases', '匯出 CSV')}</p>
        </div>
        <div class="card">
          <h2>推播成效（最近的推播活動）</h2>
          {view.campaigns.length === 0 ? (
            <p class="muted">還沒有推播活動。</p>
          ) : (
            <>
              <BarChart
                title="推播後 7 天內的回應"
                bars={view.campaigns.flatMap((c) => [
                  { label: `${c.title}：送達`, value: c.sent },
                  { label: `${c.title}：點按`, value: c.tapped },
                  { label: `${c.title}：提問／健檢／找顧問`, value: c.asked + c.assessed + c.handedOff },
                ])}
                unit=" 人"
                testId="chart-campaigns"
              />
              <p>
                <a href="/console/campaigns">推播活動</a>　{exportLink('campaigns', '匯出 CSV')}
              </p>
            </>
          )}
        </div>
        <div class="card">
          <h2>數位程度分布（各企業最近一次評測）</h2>
          <BarChart title="數位程度分布" bars={view.levels.distribution.map((l) => ({ label: `第 ${l.level} 級`, value: l.users }))} unit=" 家" testId="chart-levels" />
          <p>{exportLink('levels', '匯出 CSV')}</p>
        </div>
        <div class="card">
          <h2>程度變化（首次 → 最近一次評測）</h2>
          <BarChart
            title="程度變化"
            bars={view.levels.changes.map((c) => ({ label: c.delta > 0 ? `提升 ${c.delta} 級` : c.delta < 0 ? `下降 ${-c.delta} 級` : '持平', value: c.users }))}
            unit=" 家"
            testId="chart-changes"
          />
          <LineChart
            title="每月評測平均等級"
            labels={view.levels.monthly.map((m) => m.month)}
            series={[
              { name: '平均等級', values: view.levels.monthly.map((m) => m.avgLevel) },
              { name: '再評測平均提升', values: view.levels.monthly.map((m) => m.avgGain) },
            ]}
            max={5}
            testId="chart-monthly-levels"
          />
          <p>{exportLink('changes', '匯出 CSV')}</p>
        </div>
      </div>
    </PmoPage>
  )
}
