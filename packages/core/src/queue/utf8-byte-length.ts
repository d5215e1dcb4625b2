type ByteLength = (text: string, encoding: 'utf8') => number;

// Node's Buffer.byteLength answers in tens of ns (V8 counts in C++); it is reached through globalThis so
// this module imports nothing from `node:` and still runs on Edge runtimes, which use TextEncoder.
const nodeByteLength = (globalThis as { Buffer?: { byteLength?: ByteLength } }).Buffer?.byteLength;
const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : undefined;
let scratch = new Uint8Array(0);

/** UTF-8 size in bytes of `text`, as it will travel in a request body. */
export function utf8ByteLength(text: string): number {
  if (nodeByteLength !== undefined) return nodeByteLength(text, 'utf8');
  if (encoder !== undefined) {
    // Three bytes per UTF-16 unit is the most UTF-8 can take, so one pass always fits.
    if (scratch.length < text.length * 3) scratch = new Uint8Array(Math.max(1024, text.length * 3));
    return encoder.encodeInto(text, scratch).written;
  }
  return countUtf8(text);
}

/** Plain-JS count, for runtimes with neither Buffer nor TextEncoder. Exported for tests. */
export function countUtf8(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3; // a lone surrogate becomes U+FFFD (3 bytes)
    } else bytes += 3;
  }
  return bytes;
}
