import { randomPool, takeRandomBytes } from '../identity/random-hex.js';

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
  const at = takeRandomBytes(10);
  const bytes = randomPool();
  if (now > lastMs) {
    lastMs = now;
    lastMsHex = undefined;
    // Seeded below 2^41 so the counter has room to grow within the millisecond.
    counter =
      ((bytes[at] as number) & 0x01) * 2 ** 40 +
      (bytes[at + 1] as number) * 2 ** 32 +
      readUint32(bytes, at + 2);
  } else {
    counter++;
    if (counter >= COUNTER_LIMIT) {
      lastMs++; // borrow the next millisecond rather than repeat or go backwards
      lastMsHex = undefined;
      counter = 0;
    }
  }
  // Everything up to the second-to-last group changes only when the counter's bits above 16 do (once
  // per 65 536 ids of a millisecond), so it is built once and reused: ids come in bursts.
  const counterHigh = Math.floor(counter / 2 ** 16);
  if (lastMsHex === undefined || counterHigh !== lastCounterHigh) {
    if (lastMsHex === undefined) {
      const hex = lastMs.toString(16).padStart(12, '0');
      lastMsHex = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7`;
    }
    const high = Math.floor(counter / 2 ** 30); // 12 bits: rand_a
    const mid = Math.floor(counter / 2 ** 16) % 2 ** 14; // next 14 bits: top of rand_b
    lastPrefix = `${lastMsHex}${HEX[high >> 4]}${HEX_DIGIT[high & 0x0f]}-${HEX[0x80 | (mid >>> 8)]}${HEX[mid & 0xff]}-`;
    lastCounterHigh = counterHigh;
  }
  const low = counter % 2 ** 16;
  // Bytes at … at+5 seed the counter when a millisecond starts; at+6 … at+9 are the random tail.
  // The 12-character tail is joined first: V8 copies joins shorter than 13 characters into one flat
  // string, so the id the queue keeps is one join of two strings, not a chain of six.
  const tail =
    (HEX[low >>> 8] as string) +
    (HEX[low & 0xff] as string) +
    HEX[bytes[at + 6] as number] +
    HEX[bytes[at + 7] as number] +
    HEX[bytes[at + 8] as number] +
    HEX[bytes[at + 9] as number];
  return lastPrefix + tail;
}

let lastMsHex: string | undefined;
let lastCounterHigh = -1;
let lastPrefix = '';
const HEX_DIGIT = '0123456789abcdef';

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 2 ** 24 +
    ((bytes[at + 1] as number) << 16) +
    ((bytes[at + 2] as number) << 8) +
    (bytes[at + 3] as number)
  );
}
