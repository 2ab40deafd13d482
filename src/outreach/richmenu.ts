import { z } from 'zod'
import { parseDataFile } from '../data-file.js'

/**
 * The rich menu as data (knowledge/outreach/richmenu.yaml): menus of six cells on a 3 × 2 grid,
 * each cell a postback the bot already answers. Turned here into LINE's rich-menu objects.
 */

/** The name of the menu for consultant chats (richmenu.yaml's `handoff` menu), by which the bot finds it on the channel. */
export const HANDOFF_MENU_NAME = 'sme-dx-handoff'

const cell = z.strictObject({ label: z.string().min(1).max(20), hint: z.string().max(30).default(''), icon: z.string().max(2).default(''), data: z.string().min(1).max(300) })
export const richMenuFileSchema = z.strictObject({
  size: z.strictObject({ width: z.literal(2500), height: z.union([z.literal(1686), z.literal(843)]) }),
  chat_bar_text: z.string().min(1).max(14),
  menus: z
    .array(z.strictObject({ id: z.string().regex(/^[a-z][a-z0-9-]*$/), name: z.string().min(1).max(300), cells: z.array(cell).length(6) }))
    .min(1)
    .refine((m) => m.some((x) => x.id === 'default'), 'a menu with id "default" is required'),
})
export type RichMenuFile = z.output<typeof richMenuFileSchema>
export type RichMenuDefinition = RichMenuFile['menus'][number]

export function parseRichMenuFile(text: string, file = 'richmenu.yaml'): RichMenuFile {
  return parseDataFile(richMenuFileSchema, text, file)
}

/** LINE's request body for one menu: the cells as tap areas of the grid. */
export function richMenuRequest(file: RichMenuFile, menu: RichMenuDefinition) {
  const { width, height } = file.size
  const cols = 3
  const rows = 2
  const w = Math.floor(width / cols)
  const h = Math.floor(height / rows)
  return {
    size: { width, height },
    selected: menu.id === 'default',
    name: menu.name,
    chatBarText: file.chat_bar_text,
    areas: menu.cells.map((c, i) => {
      const col = i % cols
      const row = Math.floor(i / cols)
      return {
        // The last column and row take the rounding remainder, so the areas cover the image exactly.
        bounds: { x: col * w, y: row * h, width: col === cols - 1 ? width - col * w : w, height: row === rows - 1 ? height - row * h : h },
        action: { type: 'postback' as const, label: c.label, data: c.data, displayText: c.label },
      }
    }),
  }
}

/** The page the menu image is drawn from (Chromium screenshots it at the menu's size). */
export function richMenuHtml(file: RichMenuFile, menu: RichMenuDefinition): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`)
  const cells = menu.cells
    .map((c, i) => `<div class="cell${i === 0 && menu.id !== 'default' ? ' first' : ''}"><div class="icon">${esc(c.icon)}</div><div class="label">${esc(c.label)}</div><div class="hint">${esc(c.hint)}</div></div>`)
    .join('')
  return `<!doctype html><html lang="zh-Hant-TW"><head><meta charset="utf-8"><style>
  html,body{margin:0;width:${file.size.width}px;height:${file.size.height}px;font-family:"Noto Sans CJK TC","Noto Sans TC",sans-serif}
  body{display:grid;grid-template-columns:repeat(3,1fr);grid-template-rows:repeat(2,1fr);gap:12px;background:#d7e6dc;padding:12px;box-sizing:border-box}
  .cell{background:#fff;border-radius:36px;display:flex;flex-direction:column;align-items:center;justify-content:center;color:#1f4d3a}
  .cell.first{background:#1f7a4d;color:#fff}
  .icon{width:250px;height:250px;border-radius:50%;background:#1f7a4d;color:#fff;font-size:150px;font-weight:700;display:flex;align-items:center;justify-content:center}.first .icon{background:#fff;color:#1f7a4d}.label{font-size:128px;font-weight:700;margin-top:24px}.hint{font-size:68px;opacity:.75;margin-top:16px}
  </style></head><body>${cells}</body></html>`
}
