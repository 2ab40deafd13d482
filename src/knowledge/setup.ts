import { fileURLToPath } from 'node:url'

/** The repository's knowledge folder (Node only; Workers serve an index built from Node). */
export const KNOWLEDGE_DIR = fileURLToPath(new URL('../../knowledge', import.meta.url))
