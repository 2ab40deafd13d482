/**
 * A question built on a wrong figure ("補助70%，那自籌30%就好嗎？") is answered with the figure the
 * sources give for the same thing, said plainly first.
 */
const CLAIM = /(補助|自籌|上限|比例|最高|最多|補貼|負擔|點數)[^，,。；？?\d]{0,10}?(\d+(?:\.\d+)?)\s*(%|％|成|萬元|萬|億元|億|點|元)/gu

type Unit = 'share' | 'wan' | 'yi' | 'point' | 'yuan'

function unitOf(u: string): Unit {
  if (u === '%' || u === '％' || u === '成') return 'share'
  if (u.startsWith('萬')) return 'wan'
  if (u.startsWith('億')) return 'yi'
  return u === '點' ? 'point' : 'yuan'
}

interface Claim {
  word: string
  value: number
  unit: Unit
  /** The figure as written ("80%"). */
  figure: string
  /** The whole phrase ("補助比例不超過總經費的70%"). */
  phrase: string
}

function claims(text: string): Claim[] {
  return [...text.replace(/(\d),(?=\d{3})/g, '$1').matchAll(CLAIM)].map((m) => ({
    word: m[1]!,
    value: Number(m[2]) * (m[3] === '成' ? 10 : 1),
    unit: unitOf(m[3]!),
    figure: `${m[2]}${m[3]}`,
    phrase: m[0],
  }))
}

/** A one-line correction when the question states a figure the answer gives otherwise for the same word. */
export function premiseCorrection(question: string, answer: string): string | undefined {
  const stated = claims(question)
  if (stated.length === 0) return undefined
  const given = claims(answer)
  for (const s of stated) {
    const same = given.filter((g) => g.word === s.word && g.unit === s.unit)
    if (same.length > 0 && !same.some((g) => g.value === s.value)) return `⚠️ 更正：資料上寫的是「${same[0]!.phrase}」，不是${s.figure}。`
  }
  return undefined
}
