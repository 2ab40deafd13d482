import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * `x-line-signature`: base64(HMAC-SHA256(channel secret, raw body)). node:crypto computes it
 * synchronously (WebCrypto would hop to the thread pool on every request); Workers provide it
 * through nodejs_compat.
 */
export function signBody(secret: string, body: Uint8Array | string): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

export function verifySignature(secret: string, body: Uint8Array, signature: string | undefined): boolean {
  if (!signature) return false
  const given = Buffer.from(signature, 'base64')
  if (given.length !== 32) return false
  return timingSafeEqual(createHmac('sha256', secret).update(body).digest(), given)
}
