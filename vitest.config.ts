import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Markdown and YAML imported as text, as wrangler bundles them for Workers (src/answer/prompts-bundled.ts, src/bundled-data.ts).
  plugins: [
    {
      name: 'markdown-as-text',
      transform(code, id) {
        return id.endsWith('.md') || id.endsWith('.yaml') ? { code: `export default ${JSON.stringify(code)}`, map: null } : undefined
      },
    },
  ],
  test: {
    include: ['tests/**/*.test.{ts,tsx}', 'src/**/*.test.{ts,tsx}'],
    globalSetup: ['tests/setup/postgres-server.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // .ci/run prints its closing line from the JSON report.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
})
