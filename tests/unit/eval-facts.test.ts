import { describe, expect, it } from 'vitest'
import { containsFacts } from '../../src/knowledge/eval.js'

describe('scoring an answer against the facts a question needs', () => {
  const q = (must_include: string[], any_of?: string[]) => ({ id: 'x', question: '?', must_include, any_of, kind: 'amount' }) as Parameters<typeof containsFacts>[1]
  it('ignores the spaces sources set beside Chinese characters, widths and digit separators', () => {
    expect(containsFacts('每家最高補助20萬元', q(['20 萬']))).toBe(true)
    expect(containsFacts('目標 70 分以上', q(['70分']))).toBe(true)
    expect(containsFacts('共１，２３４家', q(['1234家']))).toBe(true)
  })
  it('still needs every fact, and one of the alternatives', () => {
    expect(containsFacts('每家最高補助20萬元', q(['30 萬']))).toBe(false)
    expect(containsFacts('每家最高補助20萬元', q(['20萬'], ['自籌', '一半']))).toBe(false)
    expect(containsFacts('5G 加速器', q(['5G加速器']))).toBe(true)
    expect(containsFacts('SI 業者', q(['SI業者']))).toBe(true)
    expect(containsFacts('ERP系統', q(['ERP 系統']))).toBe(true)
    expect(containsFacts('saved 322.4 kLOE of energy', q(['322.4kLOE']))).toBe(true)
    expect(containsFacts('saved 322.4 kLOE of energy', q(['322.4kWh']))).toBe(false)
    expect(containsFacts('Word Excel', q(['WordExcel']))).toBe(false)
  })
})
