// npm run line:richmenu: creates the rich menus of knowledge/outreach/richmenu.yaml on the configured
// LINE channel and makes the default one every user's menu.
// npm run line:richmenu -- --draw: draws their images (richmenu-<id>.png) with Chromium first.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { ConfigError, loadConfig } from '../src/config.js'
import { createRichMenuApi } from '../src/line/richmenu-client.js'
import { installRichMenus, readRichMenuFile, OUTREACH_DIR } from '../src/outreach/files.js'
import { richMenuHtml } from '../src/outreach/richmenu.js'

const file = await readRichMenuFile()
if (process.argv.includes('--draw')) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
  const page = await browser.newPage({ viewport: file.size })
  for (const menu of file.menus) {
    await page.setContent(richMenuHtml(file, menu))
    const path = join(OUTREACH_DIR, `richmenu-${menu.id}.png`)
    await writeFile(path, await page.screenshot({ type: 'png' }))
    console.log(`drew ${path}`)
  }
  await browser.close()
  if (!process.argv.includes('--install')) process.exit(0)
}

try {
  const config = loadConfig(process.env)
  if (!config.line.apiBaseUrl) throw new ConfigError('Set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN (or LINE_API_BASE_URL for a fake): the simulator has no channel to put a menu on.')
  const ids = await installRichMenus(createRichMenuApi({ channelAccessToken: config.line.channelAccessToken, baseUrl: config.line.apiBaseUrl }), file)
  for (const [id, richMenuId] of Object.entries(ids)) console.log(`${id}: ${richMenuId}`)
  console.log('default rich menu set')
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}
