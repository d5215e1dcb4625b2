import { randomBytes } from '../identity/random-hex.js';

// UUIDv7 (RFC 9562) written here rather than with the `uuidv7` package: the package builds an object per
// id and costs several times more, and this runs for every event. Same method as the package: 48-bit
// millisecond timestamp, then a 42-bit counter seeded at random each millisecond (monotonic ids within a
// millisecond, per process), then 32 random bits; Web Crypto only, so it runs on the Edge too.
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

const COUNTER_LIMIT = 2 ** 42;
let lastMs = 0;
let counter = 0;

/**
 * A new UUIDv7 string: time-ordered, unique, lowercase.
 *
 * @example
 * ```ts
 * createEventId(); // '01936f6e-8b2a-7c3d-9e4f-5a6b7c8d9e0f'
 * ```
 */
export function createEventId(now: number = Date.now()): string {
  const bytes = randomBytes(10);
  if (now > lastMs) {
    lastMs = now;
    // Seeded below 2^41 so the counter has room to grow within the millisecond.
    counter = ((bytes[0] as number) & 0x01) * 2 ** 40 + (bytes[1] as number) * 2 ** 32 + readUint32(bytes, 2);
  } else {
    counter++;
    if (counter >= COUNTER_LIMIT) {
      lastMs++; // borrow the next millisecond rather than repeat or go backwards
      counter = 0;
    }
  }
  const high = Math.floor(counter / 2 ** 30); // 12 bits: rand_a
  const low = counter % 2 ** 30; // 30 bits: top of rand_b
  const ms = lastMs.toString(16).padStart(12, '0');
  return (
    `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${HEX[high >> 4]}${(high & 0x0f).toString(16)}-` +
    `${HEX[0x80 | (low >>> 24)]}${HEX[(low >>> 16) & 0xff]}-${HEX[(low >>> 8) & 0xff]}${HEX[low & 0xff]}` +
    `${HEX[bytes[6] as number]}${HEX[bytes[7] as number]}${HEX[bytes[8] as number]}${HEX[bytes[9] as number]}`
  );
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 2 ** 24 +
    ((bytes[at + 1] as number) << 16) +
    ((bytes[at + 2] as number) << 8) +
    (bytes[at + 3] as number)
  );
}
