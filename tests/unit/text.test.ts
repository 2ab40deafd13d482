import { describe, expect, it } from 'vitest'
import { tokenize, words } from '../../src/knowledge/text.js'

describe('words and search tokens', () => {
  it('keeps a lone letter glued to a Han character as one word (E化), which the segmenter splits', () => {
    expect(words('要做E化的有幾案？')).toContain('e化')
    expect(tokenize('E化輔導')).toContain('e化')
    // Not inside a longer Latin word or after a digit.
    expect(tokenize('email化')).not.toContain('l化')
    expect(tokenize('5G化')).not.toContain('g化')
  })
})
