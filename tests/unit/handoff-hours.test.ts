import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { addWorkingTime, describeOfficeHours, describeTime, dueAt, isOfficeTime, nextOpening } from '../../src/handoff/hours.js'
import { HANDOFF_SETTINGS_FILE } from '../../src/handoff/load.js'
import { parseHandoffSettings, type OfficeHours } from '../../src/handoff/settings.js'

/** Taipei wall-clock time (UTC+8) as an instant. */
const tpe = (local: string) => new Date(`${local}+08:00`)

const hours: OfficeHours = { timezone: 'Asia/Taipei', days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '18:00', holidays: [] }

describe('office hours: the response target counts working time only', () => {
  it('adds within the same working day', () => {
    // 2026-12-02 is a Wednesday.
    expect(dueAt(tpe('2026-12-02T10:15:00'), 2, hours)).toEqual(tpe('2026-12-02T12:15:00'))
    expect(dueAt(tpe('2026-12-02T16:00:00'), 2, hours)).toEqual(tpe('2026-12-02T18:00:00'))
  })

  it('carries what is left of Friday over the weekend: Friday 17:30 + 2 h → Monday 10:30', () => {
    expect(dueAt(tpe('2026-12-04T17:30:00'), 2, hours)).toEqual(tpe('2026-12-07T10:30:00'))
  })

  it('starts counting at the next opening outside office hours', () => {
    expect(dueAt(tpe('2026-12-02T07:00:00'), 2, hours)).toEqual(tpe('2026-12-02T11:00:00')) // early morning
    expect(dueAt(tpe('2026-12-02T21:00:00'), 2, hours)).toEqual(tpe('2026-12-03T11:00:00')) // evening
    expect(dueAt(tpe('2026-12-05T12:00:00'), 2, hours)).toEqual(tpe('2026-12-07T11:00:00')) // Saturday
    expect(dueAt(tpe('2026-12-04T18:00:00'), 2, hours)).toEqual(tpe('2026-12-07T11:00:00')) // Friday at closing time
  })

  it('skips holidays and handles targets longer than a day', () => {
    const withHoliday = { ...hours, holidays: ['2026-12-07'] }
    expect(dueAt(tpe('2026-12-04T17:30:00'), 2, withHoliday)).toEqual(tpe('2026-12-08T10:30:00'))
    expect(addWorkingTime(tpe('2026-12-02T09:00:00'), 9 * 60 + 30, hours)).toEqual(tpe('2026-12-03T09:30:00'))
  })

  it('is independent of the machine time zone (UTC instants in, UTC instants out)', () => {
    // Monday 00:30 UTC is Monday 08:30 in Taipei: before opening.
    expect(dueAt(new Date('2026-12-07T00:30:00Z'), 1, hours)).toEqual(new Date('2026-12-07T02:00:00Z'))
  })

  it('tells whether the office is open and when it opens next', () => {
    expect(isOfficeTime(tpe('2026-12-02T09:00:00'), hours)).toBe(true)
    expect(isOfficeTime(tpe('2026-12-02T18:00:00'), hours)).toBe(false)
    expect(isOfficeTime(tpe('2026-12-05T10:00:00'), hours)).toBe(false)
    expect(nextOpening(tpe('2026-12-04T19:00:00'), hours)).toEqual(tpe('2026-12-07T09:00:00'))
    expect(nextOpening(tpe('2026-12-02T10:00:00'), hours)).toEqual(tpe('2026-12-02T10:00:00'))
  })

  it('describes times the way a user reads them', () => {
    const now = tpe('2026-12-04T19:00:00') // Friday evening
    expect(describeTime(tpe('2026-12-04T20:00:00'), now, 'Asia/Taipei')).toBe('今天 20:00')
    expect(describeTime(tpe('2026-12-05T09:00:00'), now, 'Asia/Taipei')).toBe('明天 09:00')
    expect(describeTime(tpe('2026-12-07T09:00:00'), now, 'Asia/Taipei')).toBe('週一（12/7）09:00')
    expect(describeOfficeHours(hours)).toBe('週一至週五 09:00–18:00')
    expect(describeOfficeHours({ ...hours, days: ['sat', 'mon'] })).toBe('週一、週六 09:00–18:00')
  })

  it('the shipped settings use Taipei office hours and a 2-hour target', () => {
    const settings = parseHandoffSettings(readFileSync(HANDOFF_SETTINGS_FILE, 'utf8'), 'handoff.yaml')
    expect(settings.office_hours).toMatchObject({ timezone: 'Asia/Taipei', open: '09:00', close: '18:00' })
    expect(dueAt(tpe('2026-12-04T17:30:00'), settings.response_target_hours, settings.office_hours)).toEqual(tpe('2026-12-07T10:30:00'))
  })
})
