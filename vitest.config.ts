import { defineConfig } from 'vitest/config'

export default defineConfig({
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
