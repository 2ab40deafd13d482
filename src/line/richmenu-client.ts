import { HTTPFetchError, messagingApi } from '@line/bot-sdk'
import { LINE_API_DEFAULT } from '../config.js'
import { LineApiError } from './client.js'

/** LINE's file host: rich-menu images go to api-data.line.me, not api.line.me. */
export const LINE_DATA_API_DEFAULT = 'https://api-data.line.me'

/** The rich-menu calls (an operator's command and per-user switching), through the official SDK. */
export interface RichMenuApi {
  create(request: messagingApi.RichMenuRequest): Promise<string>
  uploadImage(richMenuId: string, png: Uint8Array<ArrayBuffer>): Promise<void>
  setDefault(richMenuId: string): Promise<void>
  list(): Promise<{ richMenuId: string; name: string }[]>
  remove(richMenuId: string): Promise<void>
  linkToUser(userId: string, richMenuId: string): Promise<void>
  unlinkFromUser(userId: string): Promise<void>
}

const fail = (error: unknown): never => {
  if (error instanceof HTTPFetchError) throw new LineApiError(`LINE API ${error.status}: ${error.body.slice(0, 300)}`, error.status)
  throw new LineApiError(`LINE API unreachable: ${(error as Error).message}`, undefined)
}

/** `baseUrl` is LINE's API or a fake; the file host is LINE's own beside the real API, else the same fake. */
export function createRichMenuApi(options: { channelAccessToken: string; baseUrl: string }): RichMenuApi {
  // Made on first use: most requests (a webhook on Workers) never switch a menu.
  let clients: { api: messagingApi.MessagingApiClient; blob: messagingApi.MessagingApiBlobClient } | undefined
  const c = () =>
    (clients ??= {
      api: new messagingApi.MessagingApiClient({ channelAccessToken: options.channelAccessToken, baseURL: options.baseUrl }),
      blob: new messagingApi.MessagingApiBlobClient({
        channelAccessToken: options.channelAccessToken,
        baseURL: options.baseUrl === LINE_API_DEFAULT ? LINE_DATA_API_DEFAULT : options.baseUrl,
      }),
    })
  return {
    create: (request) => c().api.createRichMenu(request).then((r) => r.richMenuId, fail),
    uploadImage: (id, png) => c().blob.setRichMenuImage(id, new Blob([png], { type: 'image/png' })).then(() => undefined, fail),
    setDefault: (id) => c().api.setDefaultRichMenu(id).then(() => undefined, fail),
    list: () => c().api.getRichMenuList().then((r) => r.richmenus.map((m) => ({ richMenuId: m.richMenuId, name: m.name })), fail),
    remove: (id) => c().api.deleteRichMenu(id).then(() => undefined, fail),
    linkToUser: (userId, id) => c().api.linkRichMenuIdToUser(userId, id).then(() => undefined, fail),
    unlinkFromUser: (userId) => c().api.unlinkRichMenuIdFromUser(userId).then(() => undefined, fail),
  }
}
