import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseHandoffSettings, type HandoffSettings } from './settings.js'

export const HANDOFF_SETTINGS_FILE = fileURLToPath(new URL('../../knowledge/handoff/handoff.yaml', import.meta.url))

/** Node: reads the settings from the repository (Workers bundle the text, see src/bundled-data.ts). */
export async function readHandoffSettings(file = HANDOFF_SETTINGS_FILE): Promise<HandoffSettings> {
  return parseHandoffSettings(await readFile(file, 'utf8'), file)
}
