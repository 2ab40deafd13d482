import { describe, expect, it } from 'vitest'
import { ConfigError, LINE_API_DEFAULT, loadConfig } from '../../src/config.js'

describe('configuration', () => {
  it('runs with no settings at all: embedded database, simulator on', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ port: 3000, dataDir: './data', databaseUrl: undefined, simulator: true, openai: undefined })
    expect(config.line.apiBaseUrl).toBeUndefined()
  })

  it('turns the simulator off and talks to LINE when credentials are set', () => {
    const config = loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't' })
    expect(config.simulator).toBe(false)
    expect(config.line).toEqual({ channelSecret: 's', channelAccessToken: 't', apiBaseUrl: LINE_API_DEFAULT })
  })

  it('keeps the simulator on with SIMULATOR=1 only against a local LINE API', () => {
    expect(loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', SIMULATOR: '1', LINE_API_BASE_URL: 'http://127.0.0.1:9999' }).simulator).toBe(true)
  })

  it('refuses unsafe combinations, naming the variable', () => {
    // the simulator next to a real channel: anyone could forge events and read replies
    expect(() => loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', SIMULATOR: '1' })).toThrow(/SIMULATOR/)
    expect(() => loadConfig({ LINE_CHANNEL_SECRET: 's', LINE_CHANNEL_ACCESS_TOKEN: 't', SIMULATOR: '1', LINE_API_BASE_URL: 'https://api.line.me' })).toThrow(/SIMULATOR/)
    // no simulator and no credentials: the public simulator secret would sign webhooks
    expect(() => loadConfig({ SIMULATOR: '0' })).toThrow(/LINE_CHANNEL_SECRET/)
  })

  it('fails fast with a message naming each bad variable', () => {
    const attempt = () => loadConfig({ PORT: 'abc', DATABASE_URL: 'not a url', LINE_CHANNEL_SECRET: 'only-the-secret', ADMIN_TOKEN: 'short', METRICS_TOKEN: 'short', INSTANCE_ID: 'app 1; drop' })
    expect(attempt).toThrow(ConfigError)
    const message = (() => {
      try {
        attempt()
      } catch (e) {
        return (e as Error).message
      }
      return ''
    })()
    for (const name of ['PORT', 'DATABASE_URL', 'LINE_CHANNEL_ACCESS_TOKEN', 'ADMIN_TOKEN', 'METRICS_TOKEN', 'INSTANCE_ID']) expect(message).toContain(name)
  })

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '', OPENAI_API_KEY: '' })).toMatchObject({ port: 3000, databaseUrl: undefined, openai: undefined })
  })

  it('switches on the OpenAI adapters with OPENAI_API_KEY', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }).openai).toMatchObject({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1' })
  })
})
