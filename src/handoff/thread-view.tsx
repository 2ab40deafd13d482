import type { Session } from '../console/auth.js'
import { CsrfField, formatTime } from '../console/layout.js'
import type { CaseRow, Delivery, ThreadMessage } from './cases.js'

/** The case thread: the conversation's messages, and each consultant message's delivery state. */

const DELIVERY_LABELS: Record<Delivery, string> = {
  sending: '傳送中',
  retrying: '傳送中（稍後重試）',
  reply: '已送達（回覆）',
  push: '已送達（推播）',
  failed: '失敗',
}

/** The live thread; also served alone to the page's polling script. */
export function Thread({ session, c, thread }: { session: Session; c: CaseRow; thread: ThreadMessage[] }) {
  const opened = c.openedAt?.getTime()
  let dividerShown = false
  return (
    <ol class="thread" aria-label="對話紀錄">
      {thread.map((m) => {
        const divider = !dividerShown && opened !== undefined && m.at.getTime() >= opened
        if (divider) dividerShown = true
        const who = m.direction === 'in' ? '使用者' : m.staffName ? `顧問 ${m.staffName}` : '小幫手'
        return (
          <>
            {divider ? <li class="divider">— 案件 #{c.id} 開始 —</li> : null}
            <li class={`msg ${m.direction} ${m.staffName ? 'staff' : ''}`} data-message={String(m.id)}>
              <div class="meta">
                <span class="who">{who}</span> <span class="muted">{formatTime(m.at)}</span>
                {m.staffName && m.delivery ? <span class={`badge delivery ${m.delivery === 'failed' ? 'failed' : m.delivery === 'reply' || m.delivery === 'push' ? 'ok' : ''}`}>{DELIVERY_LABELS[m.delivery]}</span> : null}
                {!m.staffName && m.direction === 'out' && m.delivery === 'failed' ? <span class="badge failed">失敗</span> : null}
              </div>
              <div class="text">{m.text ?? `［${m.kind}］`}</div>
              {m.error && m.delivery !== null && (m.staffName || m.delivery === 'failed') ? <div class="error delivery-error">錯誤：{m.error}</div> : null}
              {m.delivery === 'failed' && m.outboxId !== null ? (
                <form method="post" action={`/console/cases/${c.id}/messages/${m.outboxId}/retry`} class="retry">
                  <CsrfField session={session} />
                  <button type="submit" class="secondary">重試</button>
                </form>
              ) : null}
            </li>
          </>
        )
      })}
    </ol>
  )
}
