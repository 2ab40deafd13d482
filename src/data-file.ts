import { parse as parseYaml } from 'yaml'
import { z } from 'zod'

/** A data file (YAML that PMO staff edit) that is not valid: the message names the file and each bad field. */
export class DataFileError extends Error {
  override name = 'DataFileError'
}

/** Parses YAML text and validates it with `schema`. */
export function parseDataFile<S extends z.ZodType>(schema: S, text: string, file: string): z.infer<S> {
  let data: unknown
  try {
    data = parseYaml(text)
  } catch (error) {
    throw new DataFileError(`${file}: invalid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  const parsed = schema.safeParse(data)
  if (!parsed.success) throw new DataFileError(`${file}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}
