import { describe, expect, it } from 'vitest'
import { toChatInput } from '../../src/chat/input.js'
import { tappedLabel } from '../../src/chat/messages.js'
import { coreRoutes, createRouter } from '../../src/chat/router.js'
import type { ConversationFacts } from '../../src/chat/types.js'
import { eventSchema } from '../../src/line/events.js'
import { followEvent, postbackEvent, stickerEvent, textEvent } from '../../src/simulator/events.js'

const route = createRouter(coreRoutes)
const ctx: ConversationFacts = { chatType: 'user', chatId: 'U1', userId: 'U1', state: {}, now: new Date('2026-11-22T00:00:00Z') }
const parse = (e: unknown) => eventSchema.parse(e)

describe('chat input', () => {
  it('ignores group chatter unless the bot is mentioned, and cuts the mention from the text', () => {
    const group = { userId: 'U1', groupId: 'C1' }
    expect(toChatInput(parse(textEvent(group, '選單', 't')))).toEqual({ kind: 'ignored', reason: 'group-without-mention' })
    expect(toChatInput(parse(textEvent(group, '選單', 't', true)))).toEqual({ kind: 'text', text: '選單' })
  })

  it('ignores events in standby mode', () => {
    expect(toChatInput(parse({ ...textEvent({ userId: 'U1' }, 'hi', 't'), mode: 'standby' })).kind).toBe('ignored')
  })

  it('accepts event types it does not know without failing', () => {
    const event = parse({ type: 'membership', webhookEventId: 'E', timestamp: 1, source: { type: 'user', userId: 'U1' }, replyToken: 't', membership: {} })
    expect(toChatInput(event)).toEqual({ kind: 'ignored', reason: 'event:membership' })
  })
})

describe('core routes', () => {
  it('welcomes a follower with the automation and privacy notices and activates the user', async () => {
    const outcome = await route(toChatInput(parse(followEvent({ userId: 'U1' }, 't'))), ctx)
    expect(outcome.intent).toBe('welcome')
    expect(outcome.effects).toEqual([{ type: 'set-user-status', status: 'active' }])
    expect(outcome.replies.length).toBeLessThanOrEqual(5)
  })

  it('asks before deleting data, and deletes only after the confirmation postback', async () => {
    const ask = await route({ kind: 'text', text: '刪除我的資料' }, ctx)
    expect(ask.intent).toBe('delete-data-confirm')
    expect(ask.effects ?? []).toEqual([])
    const confirm = await route(toChatInput(parse(postbackEvent({ userId: 'U1' }, 'action=delete-data-confirm', 't'))), ctx)
    expect(confirm.effects).toEqual([{ type: 'delete-user-data' }])
    const cancel = await route({ kind: 'postback', data: 'action=delete-data-cancel' }, ctx)
    expect(cancel.effects ?? []).toEqual([])
  })

  it('answers stickers politely and unknown input with the menu', async () => {
    expect((await route(toChatInput(parse(stickerEvent({ userId: 'U1' }, 't'))), ctx)).intent).toBe('unsupported')
    const unknown = await route({ kind: 'text', text: '今天天氣如何' }, ctx)
    expect(unknown.intent).toBe('unknown')
    expect(unknown.replies[0]).toHaveProperty('quickReply')
  })
})

describe('what the user tapped', () => {
  const quick = { type: 'text', text: '您的行業？', quickReply: { items: [{ type: 'action', action: { type: 'postback', label: '製造業', data: 'action=pick&v=mfg', displayText: '我是製造業' } }] } }
  const flex = {
    type: 'flex',
    altText: '結果',
    contents: { type: 'bubble', footer: { type: 'box', layout: 'vertical', contents: [{ type: 'button', action: { type: 'postback', label: '找顧問', data: 'action=consultant&from=card' } }] } },
  }

  it('names the button a postback came from by what it showed: displayText, else its label', () => {
    expect(tappedLabel([quick, flex], 'action=pick&v=mfg')).toBe('我是製造業')
    expect(tappedLabel([quick, flex], 'action=consultant&from=card')).toBe('找顧問')
  })

  it('takes the newest message first, and finds nothing for data no message carried', () => {
    const newer = { type: 'text', text: '再選一次', quickReply: { items: [{ type: 'action', action: { type: 'postback', label: '製造（新）', data: 'action=pick&v=mfg' } }] } }
    expect(tappedLabel([newer, quick], 'action=pick&v=mfg')).toBe('製造（新）')
    expect(tappedLabel([quick, flex], 'action=pick&v=retail')).toBeUndefined()
  })
})
