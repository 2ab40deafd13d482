import { StructuredOutputParser } from '@langchain/core/output_parsers'
import { z } from 'zod'
import type { CompleteChat } from './types.js'

export const intentSchema = z.object({ intent: z.enum(['question', 'consultant', 'assessment', 'greeting', 'other']) })
export type Intent = z.infer<typeof intentSchema>['intent']

/** Classifies a message the rules could not place; undefined when the model fails or answers off-format. */
export type IntentClassifier = (text: string) => Promise<Intent | undefined>

export function createIntentClassifier(options: { complete: CompleteChat; system: string; deadlineMs: number }): IntentClassifier {
  const parser = StructuredOutputParser.fromZodSchema(intentSchema)
  return async (text) => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), options.deadlineMs)
    try {
      const raw = await options.complete(
        [
          { role: 'system', content: options.system },
          { role: 'user', content: `<message>\n${text.slice(0, 500)}\n</message>` },
        ],
        controller.signal,
      )
      return (await parser.parse(raw)).intent
    } catch {
      return undefined
    } finally {
      clearTimeout(timer)
    }
  }
}
