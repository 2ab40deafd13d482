import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// The shape of the code, checked from its files: what imports what.
const SRC = resolve(import.meta.dirname, '..', '..', 'src')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : []
  })
}

/** Relative imports of a file (static, type-only and dynamic), as paths of files under src. */
function importsOf(file: string, known: Set<string>): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/g), ...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1]!)
  return specs
    .map((s) => resolve(dirname(file), s))
    .map((p) => [p.replace(/\.js$/, '.ts'), p.replace(/\.js$/, '.tsx'), p].find((c) => known.has(c)))
    .filter((p): p is string => p !== undefined)
}

const files = sourceFiles(SRC)
const known = new Set(files)
const graph = new Map(files.map((f) => [f, importsOf(f, known)]))
const name = (f: string) => relative(SRC, f)

/** Folders that hold a feature; the conversation kernel (chat/, inbox/) must not import them. */
const FEATURES = ['answer', 'assessment', 'handoff', 'eligibility', 'pmo', 'console', 'simulator', 'knowledge', 'privacy', 'outreach']

describe('the structure of src/', () => {
  it('has no import circles (type imports included)', () => {
    const circles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'open') {
        circles.push([...path.slice(path.indexOf(f)), f].map(name).join(' → '))
        return
      }
      state.set(f, 'open')
      for (const next of graph.get(f) ?? []) visit(next, [...path, f])
      state.set(f, 'done')
    }
    for (const f of files) visit(f, [])
    expect(circles).toEqual([])
  })

  it('keeps the conversation kernel (chat/, inbox/) free of features', () => {
    const leaks = files
      .filter((f) => /^(chat|inbox)\//.test(name(f)))
      .flatMap((f) => (graph.get(f) ?? []).filter((t) => FEATURES.includes(name(t).split('/')[0]!)).map((t) => `${name(f)} → ${name(t)}`))
    expect(leaks).toEqual([])
  })

  it('tries routes in one place only', () => {
    const loops = files.filter((f) => /for \(const route of/.test(readFileSync(f, 'utf8'))).map(name)
    expect(loops).toEqual(['chat/dispatch.ts'])
  })

  it('keeps the runtime entries small: they only choose adapters', () => {
    const lines = (f: string) => readFileSync(join(SRC, f), 'utf8').split('\n').length
    expect(lines('server.ts') + lines('worker.ts')).toBeLessThan(150)
  })
})
