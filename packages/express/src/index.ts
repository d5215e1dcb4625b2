export type { MbuzzClient, MbuzzOptions } from '@mbuzz/core';
export type { MbuzzExpressOptions, MbuzzMiddleware, MbuzzRequestContext } from './mbuzz.js';
export { mbuzz } from './mbuzz.js';
