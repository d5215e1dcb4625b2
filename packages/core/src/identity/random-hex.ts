// Web Crypto only, so ids are minted the same way on Node and on the Edge runtime. Random bytes are drawn
// in blocks: one getRandomValues call per id would cost more than the rest of a page view.
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let offset = 0;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/**
 * Reserves `byteCount` fresh random bytes and returns where they start in `randomPool()`: read them at
 * once, the pool is refilled later. No array is allocated per call.
 */
export function takeRandomBytes(byteCount: number): number {
  if (offset + byteCount > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(Math.max(POOL_BYTES, byteCount)));
    offset = 0;
  }
  const start = offset;
  offset += byteCount; // every byte is handed out once
  return start;
}

/** The pool `takeRandomBytes` indexes into. */
export function randomPool(): Uint8Array {
  return pool;
}

/** `byteCount` random bytes as lowercase hex (`2 × byteCount` characters). */
export function randomHex(byteCount: number): string {
  const start = takeRandomBytes(byteCount);
  const bytes = pool;
  let out = '';
  for (let i = start; i < start + byteCount; i++) out += HEX[bytes[i] as number];
  return out;
}

/** A new visitor id: 256 random bits as 64 lowercase hex (docs/api.md, `_mbuzz_vid`). */
export function generateVisitorId(): string {
  return randomHex(32);
}

/** A new session id: 128 random bits as 32 lowercase hex (docs/api.md, `_mbuzz_sid`). */
export function generateSessionId(): string {
  return randomHex(16);
}

/** Our own visitor id format; anything else in the cookie is replaced, never sent. */
export function isVisitorId(value: unknown): value is string {
  return typeof value === 'string' && value.length === 64 && isLowerHex(value);
}

/** Our own session id format (without the state suffix). */
export function isSessionId(value: unknown): value is string {
  return typeof value === 'string' && value.length === 32 && isLowerHex(value);
}

function isLowerHex(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}
