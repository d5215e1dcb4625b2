import { ApiError } from './api-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
// Cheap screen before the tree walk: only bodies that could spell a dangerous key (possibly via \u
// escapes) are walked. Mirrors secure-json-parse, which Fastify uses by default.
const SUSPICIOUS = /__proto__|constructor|\\u/;

/**
 * Parses a JSON request body: strict UTF-8, and — like Fastify's default secure-json-parse — refuses
 * `__proto__` keys and `constructor` objects with a `prototype` key, so no later object merge can be
 * turned into prototype pollution. Every failure is a 400 `invalid_json`, never a 5xx.
 */
export function parseJsonBody(body: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ApiError(400, 'invalid_json', 'request body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'request body is not valid JSON');
  }
  if (SUSPICIOUS.test(text) && hasForbiddenKey(value)) {
    throw new ApiError(
      400,
      'invalid_json',
      'request body contains a forbidden key (__proto__ or constructor.prototype)',
    );
  }
  return value;
}

/** Iterative walk, so hostile nesting cannot overflow the stack. */
function hasForbiddenKey(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    if (Object.hasOwn(value, '__proto__')) return true;
    const ctor = (value as Record<string, unknown>).constructor;
    if (
      Object.hasOwn(value, 'constructor') &&
      typeof ctor === 'object' &&
      ctor !== null &&
      Object.hasOwn(ctor, 'prototype')
    ) {
      return true;
    }
    for (const child of Object.values(value))
      if (typeof child === 'object' && child !== null) stack.push(child);
  }
  return false;
}
