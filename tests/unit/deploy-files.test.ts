// The container files are not built here (no Docker daemon on the test machines), so what can drift
// silently is checked against the code: what the compiled server reads at run time, and the
// variables the configuration knows.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { CONFIG_VARIABLES } from '../../src/config.js'

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile() && /\.(ts|tsx|mjs)$/.test(e.name)).map((e) => join(e.parentPath, e.name))
}

describe('deployment files', () => {
  it('the image holds every folder the server reads next to its code, and runs the build as a non-root user with a health check', async () => {
    const dockerfile = await readFile('Dockerfile', 'utf8')
    const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '))
    const readAtRunTime = new Set<string>()
    for (const file of await sourceFiles('src')) {
      if (file === join('src', 'worker.ts')) continue // Workers bundle their files
      for (const m of (await readFile(file, 'utf8')).matchAll(/new URL\('\.\.\/\.\.\/([\w-]+)/g)) readAtRunTime.add(m[1]!)
    }
    expect([...readAtRunTime].sort()).toEqual(expect.arrayContaining(['knowledge', 'migrations']))
    for (const dir of readAtRunTime) expect(runtimeStage, `COPY ${dir}`).toMatch(new RegExp(`^COPY ${dir} ${dir}$`, 'm'))
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { scripts: Record<string, string> }
    const entry = /node (?:--\S+ )*(dist\/\S+\.js)/.exec(pkg.scripts.start!)?.[1]
    expect(entry).toBeDefined()
    expect(runtimeStage).toContain(`"${entry}"]`)
    expect(runtimeStage).toMatch(/^USER (?!root)\w+/m)
    expect(runtimeStage).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m)
  })

  it('compose passes only variables the configuration knows, and names each instance apart', async () => {
    const compose = parse(await readFile('compose.yaml', 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string>; build?: string }> }
    const apps = Object.entries(compose.services).filter(([, s]) => s.build === '.')
    expect(apps.length).toBeGreaterThanOrEqual(2)
    for (const [name, app] of apps) {
      for (const variable of Object.keys(app.environment ?? {})) expect(CONFIG_VARIABLES, `${name}: ${variable}`).toContain(variable)
      expect(app.environment?.DATABASE_URL, name).toMatch(/^postgres:\/\//)
    }
    const ids = apps.map(([, app]) => app.environment?.INSTANCE_ID)
    expect(new Set(ids).size).toBe(apps.length)
  })

  it('.env.example lists only variables the configuration or compose reads', async () => {
    const names = (await readFile('.env.example', 'utf8')).split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]!)
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) expect([...CONFIG_VARIABLES, 'POSTGRES_PASSWORD'], name).toContain(name)
  })
})
