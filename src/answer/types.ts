export interface Citation {
  /** 1-based number shown in the answer, e.g. 〔1〕. */
  n: number
  documentId: string
  chunkHash: string
  title: string
  headingPath: string[]
  kind: string
  status: string
  sourceDate: string | null
  windowCloses: string | null
}

export interface AnswerResult {
  /** answered: facts from the knowledge base; not-covered: declined, consultant offered; out-of-scope: not our subject. */
  status: 'answered' | 'not-covered' | 'out-of-scope'
  /** The full reply text (answer, notices, sources), as sent in the text fallback. */
  text: string
  /** The answer itself without notices and sources (shown in the Flex body). */
  body: string
  notices: string[]
  citations: Citation[]
  /** The rest, for a 看更多 quick reply. */
  more: string | undefined
  /** What the answer learnt about the firm (industry, size…), kept for later questions in this chat. */
  firmFacts?: Record<string, unknown>
  /** Suggested next messages (a settling question's answers…), offered as quick replies that send `text`. */
  followUps?: { label: string; text: string }[]
  mode: 'extractive' | 'generative'
  searchQuery: string
  /** Retrieved passages, for the eval report and the PMO "try it" box. */
  retrieved: { chunkHash: string; title: string; headingPath: string[]; text: string; score: number }[]
  /** Share of the question's subject found in the passages, what was missing, and the kind of fact asked that the passages lack (an amount, a year…). */
  coverage: { ratio: number; missing: string[]; lacking?: string }
  /** Why a generated answer was replaced by the extractive one, if it was. */
  fallbackReason?: string
}

/** Chat completion: the prompt in, the model's raw text out. */
export type CompleteChat = (messages: { role: 'system' | 'user'; content: string }[], signal: AbortSignal) => Promise<string>
