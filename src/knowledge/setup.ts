import { fileURLToPath } from 'node:url'
import type { Config } from '../config.js'
import { createOpenAIEmbedder, LocalHashEmbedder, type KnowledgeEmbedder } from './embedder.js'

/** The repository's knowledge folder. */
export const KNOWLEDGE_DIR = fileURLToPath(new URL('../../knowledge', import.meta.url))

/** OpenAI-compatible embeddings when configured, else the local CJK-aware embedder. */
export function createEmbedder(config: Config): KnowledgeEmbedder {
  return config.openai
    ? createOpenAIEmbedder({ apiKey: config.openai.apiKey, baseUrl: config.openai.baseUrl, model: config.openai.embeddingModel })
    : new LocalHashEmbedder()
}
