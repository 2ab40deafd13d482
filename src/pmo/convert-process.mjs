// An upload's conversion, in its own short-lived process (src/pmo/convert-isolated.ts is the other
// end): a file built to exhaust memory or time (a zip bomb, a pathological PDF) ends this process,
// never the bot's. A worker thread is not enough: V8 aborts the whole process on some out-of-memory
// paths inside a thread despite its resource limits. Plain JavaScript, so Node starts it as it is
// under tsx, vitest and a build alike; the converter itself is TypeScript before a build.
//
// Gets one message { module, fileName, bytes }; answers one:
//   { ok: true, converted } | { ok: false, conversion: boolean, message }
process.once('message', async ({ module, fileName, bytes }) => {
  let answer
  try {
    if (module.endsWith('.ts')) (await import('tsx/esm/api')).register()
    const { convertUpload, ConversionError } = await import(module)
    try {
      answer = { ok: true, converted: await convertUpload(fileName, bytes) }
    } catch (error) {
      answer = { ok: false, conversion: error instanceof ConversionError, message: error instanceof Error ? error.message : String(error) }
    }
  } catch (error) {
    answer = { ok: false, conversion: false, message: error instanceof Error ? error.message : String(error) }
  }
  process.send(answer, () => process.disconnect())
})
