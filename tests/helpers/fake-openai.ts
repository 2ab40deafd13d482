import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import { LocalHashEmbedder } from '../../src/knowledge/embedder.js'

export type ChatBehaviour =
  | { content: string; delayMs?: number }
  | { status: number; body?: unknown }

/**
 * A fake OpenAI-compatible API (chat completions and embeddings) on a real socket, speaking the
 * wire format the OpenAI SDK under LangChain expects. Tests script each chat reply.
 */
export interface FakeOpenAI {
  url: string
  /** Requests received, newest last. */
  chatRequests: { messages: { role: string; content: string }[]; model: string }[]
  embeddingRequests: number
  reply(behaviour: ChatBehaviour | ((prompt: string) => ChatBehaviour)): void
  close(): Promise<void>
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const app = new Hono()
  const state: { behaviour: ChatBehaviour | ((prompt: string) => ChatBehaviour) } = { behaviour: { content: '{}' } }
  const chatRequests: FakeOpenAI['chatRequests'] = []
  let embeddingRequests = 0
  const embedder = new LocalHashEmbedder(64)

  app.post('/v1/chat/completions', async (c) => {
    if (!c.req.header('authorization')?.startsWith('Bearer ')) return c.json({ error: { message: 'no key', type: 'invalid_request_error' } }, 401)
    const body = (await c.req.json()) as { messages: { role: string; content: string }[]; model: string }
    chatRequests.push({ messages: body.messages, model: body.model })
    const prompt = body.messages.map((m) => m.content).join('\n')
    const b = typeof state.behaviour === 'function' ? state.behaviour(prompt) : state.behaviour
    if ('status' in b) return c.json((b.body ?? { error: { message: 'fake failure', type: 'server_error' } }) as object, b.status as 500)
    if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs))
    return c.json({
      id: `chatcmpl-${crypto.randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: b.content }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    })
  })

  app.post('/v1/embeddings', async (c) => {
    embeddingRequests++
    const body = (await c.req.json()) as { input: string | string[]; model: string; encoding_format?: string }
    const inputs = Array.isArray(body.input) ? body.input : [body.input]
    const vectors = await embedder.embedDocuments(inputs)
    return c.json({
      object: 'list',
      model: body.model,
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: body.encoding_format === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v,
      })),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    })
  })

  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server: s, port: info.port }))
  })
  return {
    url: `http://127.0.0.1:${port}/v1`,
    chatRequests,
    get embeddingRequests() {
      return embeddingRequests
    },
    reply(behaviour) {
      state.behaviour = behaviour
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
