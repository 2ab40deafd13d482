/** Verifies `x-line-signature`: base64(HMAC-SHA256(channel secret, raw body)). Web Crypto, so it runs on Node and Workers. */
const encoder = new TextEncoder()
const keys = new Map<string, Promise<CryptoKey>>()

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
    keys.set(secret, key)
  }
  return key
}

export async function signBody(secret: string, body: Uint8Array<ArrayBuffer> | string): Promise<string> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body
  const mac = await crypto.subtle.sign('HMAC', await keyFor(secret), bytes)
  return Buffer.from(mac).toString('base64')
}

export async function verifySignature(secret: string, body: Uint8Array<ArrayBuffer>, signature: string | undefined): Promise<boolean> {
  if (!signature) return false
  let mac: Uint8Array<ArrayBuffer>
  try {
    mac = Uint8Array.from(Buffer.from(signature, 'base64'))
  } catch {
    return false
  }
  if (mac.length !== 32) return false
  // crypto.subtle.verify compares in constant time.
  return crypto.subtle.verify('HMAC', await keyFor(secret), mac, body)
}
