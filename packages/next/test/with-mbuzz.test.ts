import { NextFetchEvent } from 'next/dist/server/web/spec-extension/fetch-event.js';
import * as next from 'next/server';
import { defineCases } from './with-mbuzz-cases.js';

defineCases('Next.js 16', next, NextFetchEvent);
