export type { MbuzzClient, MbuzzOptions } from '@mbuzz/core';
export { withMbuzz } from './with-mbuzz.js';
