export type { MbuzzClient, MbuzzOptions } from '@mbuzz/core';
export type { MbuzzKoaOptions, MbuzzMiddleware, MbuzzRequestContext, MbuzzState } from './mbuzz.js';
export { mbuzz } from './mbuzz.js';
