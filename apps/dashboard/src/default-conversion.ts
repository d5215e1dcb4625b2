/** Event names that usually mean a conversion, most telling first (GA4's and Segment's spellings). */
export const LIKELY_CONVERSIONS = [
  'purchase',
  'order_completed',
  'checkout_completed',
  'signup',
  'sign_up',
  'signed_up',
  'subscribe',
  'lead',
  'generate_lead',
  'conversion',
];

/** The default conversion type among `custom`: the first likely conversion name, else the first type. */
export function defaultConversion(custom: readonly string[]): string | null {
  const lower = new Map(custom.map((t) => [t.toLowerCase(), t]));
  for (const name of LIKELY_CONVERSIONS) {
    const found = lower.get(name);
    if (found !== undefined) return found;
  }
  return custom[0] ?? null;
}
