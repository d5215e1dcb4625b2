// JSON.stringify leaves non-ASCII characters as they are, but most events (percent-encoded URLs,
// user agents) are pure ASCII: one regex scan answers those without a per-character loop.
const NON_ASCII = /[\u0080-\uffff]/;

/** UTF-8 size in bytes of `text`, as it will travel in a request body. */
export function utf8ByteLength(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
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
