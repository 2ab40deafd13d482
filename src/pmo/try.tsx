import { Hono } from 'hono'
import { requireStaff, type ConsoleEnv, type Session } from '../console/auth.js'
import type { ConsoleDeps } from '../console/deps.js'
import { answerQuestion } from '../answer/service.js'
import type { AnswerResult } from '../answer/types.js'
import { searchKnowledge, type SearchHit } from '../knowledge/search.js'
import { PmoPage } from './pages/common.js'

/**
 * "Try it": the question goes through the same answer chain as a LINE message (rules, retrieval,
 * composer), read-only — nothing is recorded as a user answer. The retrieved chunks are listed with
 * their fused score and the rank each retriever gave them.
 */
export function tryRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>()
  app.get('/kb/try', requireStaff('pmo'), async (c) => {
    const q = (c.req.query('q') ?? '').trim().slice(0, 500)
    if (!q) return c.html(<TryPage session={c.get('session')!} q="" />)
    const now = deps.now?.() ?? new Date()
    const [answer, hits] = await Promise.all([answerQuestion(deps.answer, { question: q, now }), searchKnowledge(deps.answer.db, deps.answer.embedder, q, { limit: 8 })])
    return c.html(<TryPage session={c.get('session')!} q={q} answer={answer} hits={hits} />)
  })
  return app
}

const STATUS: Record<AnswerResult['status'], string> = { answered: '已回答', 'not-covered': '資料庫沒有答案（會轉介顧問）', 'out-of-scope': '超出服務範圍' }

function TryPage(props: { session: Session; q: string; answer?: AnswerResult; hits?: SearchHit[] }) {
  const a = props.answer
  const cited = new Set(a?.citations.map((c) => c.chunkHash) ?? [])
  const citedDocs = [...new Map((a?.citations ?? []).map((c) => [c.documentId, c])).values()]
  return (
    <PmoPage title="試問" session={props.session} section="try">
      <h1>試問機器人</h1>
      <form method="get" action="/console/kb/try" class="toolbar" role="search">
        <input type="search" name="q" value={props.q} placeholder="像使用者一樣提問，例如：雲市集點數可以補助多少？" aria-label="問題" style="flex:1" data-testid="try-q" />
        <button type="submit" data-testid="try-ask">送出</button>
      </form>
      {a ? (
        <>
          <div class="card">
            <h2>
              機器人的回答 <span class={`badge ${a.status === 'answered' ? 'ok' : 'failed'}`} data-testid="try-status">{STATUS[a.status]}</span>
            </h2>
            <pre class="raw" data-testid="try-answer">{a.text}</pre>
            <p class="muted">
              查詢字串：{a.searchQuery} · 涵蓋率 {Math.round(a.coverage.ratio * 100)}%{a.coverage.missing.length > 0 ? `（缺：${a.coverage.missing.join('、')}）` : ''} · 模式 {a.mode}
            </p>
          </div>
          <div class="card">
            <h2>引用的文件</h2>
            {citedDocs.length === 0 ? (
              <p class="muted">沒有引用任何文件。</p>
            ) : (
              <ul data-testid="try-cited">
                {citedDocs.map((c) => (
                  <li data-doc-id={c.documentId}>
                    <a href={`/console/kb/doc/${encodeURIComponent(c.documentId)}`}>{c.title}</a> <span class="muted">{c.documentId}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div class="card">
            <h2>檢索到的段落</h2>
            <table class="responsive" data-testid="try-hits">
              <thead>
                <tr>
                  <th>#</th>
                  <th>分數</th>
                  <th>向量／全文排名</th>
                  <th>文件與段落</th>
                </tr>
              </thead>
              <tbody>
                {(props.hits ?? []).map((h, i) => (
                  <tr data-doc-id={h.documentId}>
                    <td>{i + 1}</td>
                    <td>{h.score.toFixed(4)}</td>
                    <td>
                      {h.vectorRank ?? '—'}／{h.lexicalRank ?? '—'}
                    </td>
                    <td>
                      <a href={`/console/kb/doc/${encodeURIComponent(h.documentId)}`}>{h.title}</a>
                      {cited.has(h.chunkHash) ? <span class="badge ok">已引用</span> : null}
                      <div class="muted">{h.headingPath.join(' › ')}</div>
                      <details>
                        <summary>{Array.from(h.text).slice(0, 60).join('')}…</summary>
                        <div class="chunk">{h.text}</div>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </PmoPage>
  )
}
