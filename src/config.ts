import { z } from 'zod'

/** Treats an empty variable as unset, so `FOO=` in a shell or .env does not count as a value. */
const optionalString = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional())
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url().optional())
const flag = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z.enum(['0', '1', 'true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === '1' || v === 'true')),
)

export const LINE_API_DEFAULT = 'https://api.line.me'

const envSchema = z
  .object({
    PORT: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(65535).default(3000)),
    DATA_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('./data')),
    DATABASE_URL: optionalUrl,
    LINE_CHANNEL_SECRET: optionalString,
    LINE_CHANNEL_ACCESS_TOKEN: optionalString,
    LINE_API_BASE_URL: optionalUrl,
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    OPENAI_CHAT_MODEL: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('gpt-4o-mini')),
    OPENAI_EMBEDDING_MODEL: z.preprocess((v) => (v === '' ? undefined : v), z.string().default('text-embedding-3-small')),
    ADMIN_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional()),
    SIMULATOR: flag,
    INSTANCE_ID: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^[\w.:-]{1,64}$/, 'letters, digits, . : _ - only (at most 64)').optional()),
    METRICS_TOKEN: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'must be at least 16 characters').optional()),
    LOG_LEVEL: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['debug', 'info', 'warn', 'error']).default('info')),
  })
  .superRefine((env, ctx) => {
    const hasSecret = env.LINE_CHANNEL_SECRET !== undefined
    const hasToken = env.LINE_CHANNEL_ACCESS_TOKEN !== undefined
    if (hasSecret !== hasToken) {
      ctx.addIssue({
        code: 'custom',
        path: [hasSecret ? 'LINE_CHANNEL_ACCESS_TOKEN' : 'LINE_CHANNEL_SECRET'],
        message: 'LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN must be set together',
      })
    }
    // The simulator lets anyone post events and read replies: never next to a real LINE channel.
    const realLine = env.LINE_API_BASE_URL === undefined || !isLoopback(env.LINE_API_BASE_URL)
    if (env.SIMULATOR === true && hasSecret && realLine) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIMULATOR'],
        message: 'SIMULATOR=1 cannot run with a real LINE channel (anyone could forge events and read replies); unset SIMULATOR, or point LINE_API_BASE_URL at a local fake',
      })
    }
    // Without credentials the webhook would accept the simulator's public secret.
    if (env.SIMULATOR === false && !hasSecret) {
      ctx.addIssue({ code: 'custom', path: ['LINE_CHANNEL_SECRET'], message: 'SIMULATOR=0 needs LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN (otherwise the public simulator secret would sign webhooks)' })
    }
  }, { when: () => true }) // report this together with any other invalid variable

function isLoopback(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(new URL(url).hostname)
  } catch {
    return false
  }
}

export type Env = z.infer<typeof envSchema>

/** Every variable the configuration reads (deployment files are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape)

export interface Config {
  port: number
  dataDir: string
  databaseUrl: string | undefined
  line: {
    /** Secret used to verify webhook signatures. In simulator mode a fixed local secret. */
    channelSecret: string
    channelAccessToken: string
    /** Undefined: the built-in fake LINE API served by this app (simulator mode). */
    apiBaseUrl: string | undefined
  }
  /** The simulator page and the built-in fake LINE API are served. */
  simulator: boolean
  openai: { apiKey: string; baseUrl: string | undefined; chatModel: string; embeddingModel: string } | undefined
  adminToken: string | undefined
  /**
   * Names this instance's leases, stable across its restarts, so a restarted instance takes up its own
   * unfinished work at once. Unset: the host name and port (unique while the port is taken).
   */
  instanceId: string | undefined
  /** Bearer token for `/metrics`; unset, the endpoint is off. */
  metricsToken: string | undefined
  logLevel: Env['LOG_LEVEL']
}

/** Local-only credentials used by the simulator; they never reach LINE. */
export const SIMULATOR_SECRET = 'simulator-channel-secret'
export const SIMULATOR_TOKEN = 'simulator-access-token'

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Parses the environment once. Everything else receives the typed result, never `process.env`.
 */
export function loadConfig(raw: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(raw)
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`)
  }
  const env = parsed.data
  const hasLine = env.LINE_CHANNEL_SECRET !== undefined
  const simulator = env.SIMULATOR ?? !hasLine
  // In simulator mode replies go to the built-in fake LINE API on this server (resolved once listening).
  const apiBaseUrl = env.LINE_API_BASE_URL ?? (simulator ? undefined : LINE_API_DEFAULT)
  return {
    port: env.PORT,
    dataDir: env.DATA_DIR,
    databaseUrl: env.DATABASE_URL,
    line: {
      channelSecret: env.LINE_CHANNEL_SECRET ?? SIMULATOR_SECRET,
      channelAccessToken: env.LINE_CHANNEL_ACCESS_TOKEN ?? SIMULATOR_TOKEN,
      apiBaseUrl: apiBaseUrl?.replace(/\/+$/, ''),
    },
    simulator,
    openai: env.OPENAI_API_KEY
      ? { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL, chatModel: env.OPENAI_CHAT_MODEL, embeddingModel: env.OPENAI_EMBEDDING_MODEL }
      : undefined,
    adminToken: env.ADMIN_TOKEN,
    instanceId: env.INSTANCE_ID,
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
  }
}
