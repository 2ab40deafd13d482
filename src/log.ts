export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

/**
 * One JSON object per line. Callers keep secrets and message text out of info-level fields;
 * message text goes to debug only.
 */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const at = (lvl: LogLevel) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < ORDER[level]) return
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...redactFields(fields) }))
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/**
 * A database error's text carries the statement's parameters (user ids, reply tokens, message text):
 * they never reach a log line at any level.
 */
export function redact(text: string): string {
  return text.replace(/(\bparams:)[\s\S]*$/, '$1 [redacted]').replace(/(Failed query: [^\n]{0,120})[^\n]*/, '$1…')
}

function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Error ? redact(String(v)) : typeof v === 'string' ? redact(v) : v
  return out
}
