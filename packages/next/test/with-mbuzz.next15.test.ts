import { NextFetchEvent } from 'next15/dist/server/web/spec-extension/fetch-event.js';
import * as next15 from 'next15/server';
import { expect, it, vi } from 'vitest';
import { defineCases } from './with-mbuzz-cases.js';

// The adapter imports `next/server`: give it Next 15's, so requests, responses and the header encoding
// all come from the same version.
vi.mock('next/server', () => import('next15/server'));

defineCases(
  'Next.js 15',
  next15 as unknown as typeof import('next/server'),
  NextFetchEvent as unknown as typeof import('next/server').NextFetchEvent,
);

it('runs the adapter on Next 15’s next/server', async () => {
  const seen = await import('next/server');
  expect(seen.NextResponse).toBe(next15.NextResponse);
  expect(next15.NextResponse).not.toBe(
    (await vi.importActual<typeof import('next/server')>('next/server')).NextResponse,
  );
});
