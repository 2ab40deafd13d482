import { Embeddings } from '@langchain/core/embeddings'
import type { Config } from '../config.js'
import { tokenize } from './text.js'

/** An embedding model as the knowledge base sees it: LangChain's interface plus a stable model name. */
export interface KnowledgeEmbedder {
  /** Stored with every vector; vectors of different models are never compared. */
  readonly model: string
  /** How much its nearest neighbours count beside the full-text ranking in hybrid search (1 if unset). */
  readonly fusionWeight?: number
  embedDocuments(texts: string[]): Promise<number[][]>
  embedQuery(text: string): Promise<number[]>
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

const HAN_CHAR = /^\p{Script=Han}$/u
const NUMBER = /^\d[\d.]*$/

/**
 * A local, deterministic, CJK-aware embedder that needs no download: the text's search tokens
 * (Chinese words, Han bigrams, latin words, numbers) are hashed into a fixed number of signed
 * dimensions with sublinear term frequency, then L2-normalised. Cosine similarity then measures
 * shared vocabulary, weighted towards words and numbers over single characters.
 */
export class LocalHashEmbedder extends Embeddings implements KnowledgeEmbedder {
  readonly model: string
  /**
   * Hashed words are a second, blurrier full-text signal, not meaning: half the weight of the BM25
   * ranking (measured: retrieval hit@5 on the tuning and dev sets 95.0% → 96.4%).
   */
  readonly fusionWeight = 0.5

  constructor(readonly dimensions = 512) {
    super({})
    this.model = `local-hash-v2-${dimensions}`
  }

  embed(text: string): number[] {
    const counts = new Map<string, number>()
    for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1)
    const v = new Float64Array(this.dimensions)
    for (const [token, tf] of counts) {
      const weight = (1 + Math.log(tf)) * (HAN_CHAR.test(token) ? 0.3 : NUMBER.test(token) ? 1.5 : 1)
      const h = fnv1a(token)
      v[h % this.dimensions]! += h & 0x80000000 ? -weight : weight
    }
    let norm = 0
    for (const x of v) norm += x * x
    norm = Math.sqrt(norm) || 1
    return Array.from(v, (x) => Math.round((x / norm) * 1e6) / 1e6)
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embed(t))
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text)
  }
}

/** OpenAI-compatible embeddings (OpenAI or any server speaking its API at `baseUrl`). */
export function createOpenAIEmbedder(options: { apiKey: string; baseUrl?: string; model: string; timeoutMs?: number }): KnowledgeEmbedder {
  // Loaded on first use: an offline bot never holds the OpenAI client.
  let client: Promise<import('@langchain/openai').OpenAIEmbeddings> | undefined
  const embeddings = () =>
    (client ??= import('@langchain/openai').then(
      ({ OpenAIEmbeddings }) =>
        new OpenAIEmbeddings({
          model: options.model,
          apiKey: options.apiKey,
          configuration: options.baseUrl ? { baseURL: options.baseUrl } : undefined,
          timeout: options.timeoutMs ?? 20_000,
          maxRetries: 2,
          batchSize: 64,
        }),
    ))
  return {
    model: `openai:${options.model}`,
    embedDocuments: async (texts) => (await embeddings()).embedDocuments(texts),
    embedQuery: async (text) => (await embeddings()).embedQuery(text),
  }
}

/** OpenAI-compatible embeddings when configured, else the local CJK-aware embedder. */
export function createEmbedder(config: Config): KnowledgeEmbedder {
  return config.openai
    ? createOpenAIEmbedder({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.embeddingModel })
    : new LocalHashEmbedder()
}
