import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RichMenuApi } from '../line/richmenu-client.js'
import { parseReminderSettings, type ReminderSettings } from './reminders.js'
import { parseRichMenuFile, richMenuRequest, type RichMenuFile } from './richmenu.js'

/** The outreach data folder: richmenu.yaml and its images (richmenu-<id>.png), reminders.yaml. */
export const OUTREACH_DIR = join(import.meta.dirname, '..', '..', 'knowledge', 'outreach')

export async function readReminderSettings(dir = OUTREACH_DIR): Promise<ReminderSettings> {
  return parseReminderSettings(await readFile(join(dir, 'reminders.yaml'), 'utf8'), join(dir, 'reminders.yaml'))
}

export async function readRichMenuFile(dir = OUTREACH_DIR): Promise<RichMenuFile> {
  return parseRichMenuFile(await readFile(join(dir, 'richmenu.yaml'), 'utf8'), join(dir, 'richmenu.yaml'))
}

/**
 * Puts the menus of the file on the channel: each created with its image, `default` made every
 * user's menu, and only then the channel's previous menus of the same names removed — users never
 * see the chat without a menu. Safe to run again (after changing the file or an image).
 */
export async function installRichMenus(api: RichMenuApi, file: RichMenuFile, dir = OUTREACH_DIR): Promise<Record<string, string>> {
  const names = new Set(file.menus.map((m) => m.name))
  const previous = (await api.list()).filter((m) => names.has(m.name))
  const ids: Record<string, string> = {}
  for (const menu of file.menus) {
    const png = new Uint8Array(await readFile(join(dir, `richmenu-${menu.id}.png`)))
    const id = await api.create(richMenuRequest(file, menu))
    await api.uploadImage(id, png)
    ids[menu.id] = id
  }
  await api.setDefault(ids.default!)
  for (const old of previous) await api.remove(old.richMenuId)
  return ids
}
