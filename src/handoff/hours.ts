import { WEEKDAYS, type OfficeHours } from './settings.js'

/**
 * Office-hours arithmetic for the response target: "2 working hours" counted only inside the
 * configured days and hours of the office's time zone, skipping holidays. Pure functions of instants.
 */

const MINUTE = 60_000
const DAY_NAMES = ['週日', '週一', '週二', '週三', '週四', '週五', '週六'] as const

interface LocalDay {
  year: number
  month: number
  day: number
  /** 0 = Sunday. */
  weekday: number
  /** Minutes since local midnight. */
  minutes: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    formatters.set(timeZone, f)
  }
  return f
}

/** The wall-clock date and time of an instant in `timeZone`. */
function localOf(instant: Date, timeZone: string): LocalDay & { second: number } {
  const parts: Record<string, number> = {}
  for (const p of formatterFor(timeZone).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts
  return { year, month, day, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(), minutes: hour * 60 + minute, second }
}

/** The instant at which the wall clock of `timeZone` shows this date and minute of the day. */
function instantAt(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE
  // The zone's offset at (about) that moment; a second pass settles offset changes (DST) in between.
  let guess = wall
  for (let i = 0; i < 2; i++) {
    const l = localOf(new Date(guess), timeZone)
    const shown = Date.UTC(l.year, l.month - 1, l.day) + l.minutes * MINUTE + l.second * 1000
    guess = wall - (shown - guess)
  }
  return new Date(guess)
}

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number)
  return h! * 60 + m!
}

function isoDate(d: { year: number; month: number; day: number }): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`
}

function isWorkingDay(hours: OfficeHours, d: LocalDay): boolean {
  return hours.days.includes(WEEKDAYS[d.weekday]!) && !hours.holidays.includes(isoDate(d))
}

/** Local midnight of the day after `d`. */
function nextDay(d: LocalDay, timeZone: string): Date {
  const n = new Date(Date.UTC(d.year, d.month - 1, d.day + 1))
  return instantAt(n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate(), 0, timeZone)
}

/** Gives up after this many days without office hours (a misconfiguration, e.g. every day a holiday). */
const SEARCH_DAYS = 400

/**
 * `start` plus `workingMinutes` of office time: Friday 17:30 + 2 h → Monday 10:30; outside office
 * hours the count starts at the next opening.
 */
export function addWorkingTime(start: Date, workingMinutes: number, hours: OfficeHours): Date {
  const open = minutesOf(hours.open)
  const close = minutesOf(hours.close)
  let t = start
  let remaining = workingMinutes * MINUTE
  for (let i = 0; i < SEARCH_DAYS; i++) {
    const d = localOf(t, hours.timezone)
    if (isWorkingDay(hours, d)) {
      const opensAt = instantAt(d.year, d.month, d.day, open, hours.timezone)
      const closesAt = instantAt(d.year, d.month, d.day, close, hours.timezone)
      if (t < opensAt) t = opensAt
      if (t < closesAt) {
        const available = closesAt.getTime() - t.getTime()
        if (remaining <= available) return new Date(t.getTime() + remaining)
        remaining -= available
      }
    }
    t = nextDay(d, hours.timezone)
  }
  throw new Error('office_hours: no working time within a year')
}

/** When a case opened now is due its first reply. */
export function dueAt(openedAt: Date, responseTargetHours: number, hours: OfficeHours): Date {
  return addWorkingTime(openedAt, Math.round(responseTargetHours * 60), hours)
}

export function isOfficeTime(now: Date, hours: OfficeHours): boolean {
  const d = localOf(now, hours.timezone)
  return isWorkingDay(hours, d) && d.minutes >= minutesOf(hours.open) && d.minutes < minutesOf(hours.close)
}

/** `now` during office hours, else the next opening. */
export function nextOpening(now: Date, hours: OfficeHours): Date {
  return addWorkingTime(now, 0, hours)
}

/**
 * An instant as the user reads it, relative to `now`: "今天 15:30", "明天 09:00", "週一（12/7）09:00".
 */
export function describeTime(instant: Date, now: Date, timeZone: string): string {
  const d = localOf(instant, timeZone)
  const today = localOf(now, timeZone)
  const clockText = `${String(Math.floor(d.minutes / 60)).padStart(2, '0')}:${String(d.minutes % 60).padStart(2, '0')}`
  const days = Math.round((Date.UTC(d.year, d.month - 1, d.day) - Date.UTC(today.year, today.month - 1, today.day)) / (24 * 60 * MINUTE))
  if (days === 0) return `今天 ${clockText}`
  if (days === 1) return `明天 ${clockText}`
  return `${DAY_NAMES[d.weekday]}（${d.month}/${d.day}）${clockText}`
}

/** "週一至週五 09:00–18:00" for consecutive days, else the days listed. */
export function describeOfficeHours(hours: OfficeHours): string {
  const idx = [...new Set(hours.days.map((d) => WEEKDAYS.indexOf(d)))].map((i) => (i === 0 ? 7 : i)).sort((a, b) => a - b)
  const name = (i: number) => DAY_NAMES[i % 7]!
  const consecutive = idx.every((v, i) => i === 0 || v === idx[i - 1]! + 1)
  const days = idx.length > 2 && consecutive ? `${name(idx[0]!)}至${name(idx.at(-1)!)}` : idx.map(name).join('、')
  return `${days} ${hours.open}–${hours.close}`
}
