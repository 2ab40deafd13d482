/**
 * Server-rendered inline SVG charts: no chart library and no script, readable on a phone (the SVG
 * scales to the card's width) and printable. Every chart carries a <title> for screen readers.
 */

const COLORS = ['#06c755', '#1e88e5', '#f9a825', '#c62828', '#6d4c41']

export function BarChart(props: { title: string; bars: { label: string; value: number; note?: string }[]; unit?: string; testId?: string }) {
  const rowH = 26
  const labelW = 170
  const width = 640
  const max = Math.max(1, ...props.bars.map((b) => b.value))
  const height = Math.max(rowH, props.bars.length * rowH) + 8
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title} data-testid={props.testId}>
      <title>{props.title}</title>
      {props.bars.length === 0 ? (
        <text x="8" y="18">尚無資料</text>
      ) : (
        props.bars.map((b, i) => {
          const w = Math.round(((width - labelW - 70) * b.value) / max)
          const y = 4 + i * rowH
          return (
            <g>
              <text x="4" y={y + 16}>
                {b.label.length > 14 ? `${b.label.slice(0, 14)}…` : b.label}
              </text>
              <rect x={labelW} y={y + 3} width={Math.max(w, b.value > 0 ? 2 : 0)} height={rowH - 8} rx="3" fill={COLORS[0]} />
              <text x={labelW + w + 6} y={y + 16}>
                {b.value}
                {props.unit ?? ''}
                {b.note ? ` ${b.note}` : ''}
              </text>
            </g>
          )
        })
      )}
    </svg>
  )
}

export function LineChart(props: { title: string; labels: string[]; series: { name: string; values: (number | null)[] }[]; max?: number; percent?: boolean; testId?: string }) {
  const width = 640
  const height = 220
  const pad = { l: 40, r: 24, t: 24, b: 28 }
  const all = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null))
  const max = props.max ?? Math.max(1, ...all)
  const n = props.labels.length
  const x = (i: number) => pad.l + (n <= 1 ? 0 : ((width - pad.l - pad.r) * i) / (n - 1))
  const y = (v: number) => height - pad.b - ((height - pad.t - pad.b) * v) / max
  const fmt = (v: number) => (props.percent ? `${Math.round(v * 100)}%` : String(Math.round(v * 10) / 10))
  const every = Math.max(1, Math.ceil(n / 8))
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title} data-testid={props.testId}>
      <title>{props.title}</title>
      {[0, 0.5, 1].map((f) => (
        <g>
          <line x1={pad.l} x2={width - pad.r} y1={y(max * f)} y2={y(max * f)} stroke="#e4e8ec" />
          <text x="2" y={y(max * f) + 4}>
            {fmt(max * f)}
          </text>
        </g>
      ))}
      {props.labels.map((l, i) => ((i % every === 0 && n - 1 - i >= every / 2) || i === n - 1 ? <text x={x(i) - 14} y={height - 8}>{l.length === 10 ? l.slice(5) : l}</text> : null))}
      {props.series.map((s, si) => {
        const points = s.values.map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean)
        return (
          <g>
            <polyline points={points.join(' ')} fill="none" stroke={COLORS[si % COLORS.length]} stroke-width="2" />
            {/* Dots too: a day with a value between empty days (a rate, say) would be no line at all. */}
            {s.values.map((v, i) => (v === null ? null : <circle cx={x(i).toFixed(1)} cy={y(v).toFixed(1)} r="3" fill={COLORS[si % COLORS.length]} />))}
            <rect x={pad.l + si * 150} y="4" width="12" height="12" fill={COLORS[si % COLORS.length]} />
            <text x={pad.l + si * 150 + 16} y="14">
              {s.name}
            </text>
          </g>
        )
      })}
    </svg>
  )
}
