import { Document } from '@langchain/core/documents'
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers'
import type { Db } from '../db/types.js'
import type { KnowledgeEmbedder } from './embedder.js'
import { searchKnowledge, type SearchFilters, type SearchHit } from './search.js'

/**
 * The hybrid search (BM25 + pgvector, fused by reciprocal rank) as a LangChain retriever: each
 * passage a Document whose text is the passage and whose metadata is the whole hit (title, heading
 * path, card, dates, ranks). For chains and tools that take a retriever; the answer service calls
 * `searchKnowledge` itself, as it needs the hits and the term statistics together.
 */
export class KnowledgeRetriever extends BaseRetriever<SearchHit> {
  lc_namespace = ['sme-dx-assistant', 'knowledge']

  constructor(
    private readonly source: { db: Db; embedder: KnowledgeEmbedder; k?: number; filters?: SearchFilters },
    fields?: BaseRetrieverInput,
  ) {
    super(fields)
  }

  override async _getRelevantDocuments(query: string): Promise<Document<SearchHit>[]> {
    const hits = await searchKnowledge(this.source.db, this.source.embedder, query, { limit: this.source.k ?? 5, filters: this.source.filters })
    return hits.map((hit) => new Document({ pageContent: hit.text, metadata: hit, id: hit.chunkHash }))
  }
}
