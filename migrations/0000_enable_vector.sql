-- pgvector: embeddings for the knowledge base. A server without it fails here with a clear message (see src/db).
CREATE EXTENSION IF NOT EXISTS vector;
