import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestTracking } from '../types.js';
import { trackNodeResponse } from './track-node-response.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A tracking double recording what the response told it. */
function fakeTracking(overrides: Partial<RequestTracking> = {}) {
  const calls: { cookies: number[]; end: number[] } = { cookies: [], end: [] };
  let ended!: () => void;
  const endedOnce = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const tracking = {
    visitorId: 'v',
    sessionId: 's',
    isNavigation: true,
    track() {},
    cookies(status: number) {
      calls.cookies.push(status);
      return [{ name: '_mbuzz_vid', value: 'v', header: '_mbuzz_vid=v; Path=/' }];
    },
    end(status: number) {
      calls.end.push(status);
      ended();
    },
    ...overrides,
  } as unknown as RequestTracking;
  return { tracking, calls, endedOnce };
}

/** Serves one handler; the tracking is attached to every response. */
async function serveWith(
  tracking: RequestTracking,
  handler: http.RequestListener,
  report: (error: unknown) => void = () => {},
) {
  const server = http.createServer((req, res) => {
    trackNodeResponse(res, tracking, report);
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

function get(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      })
      .on('error', reject);
  });
}

describe('trackNodeResponse', () => {
  it('appends the cookies to the app’s own with the final status, and ends with the status sent', async () => {
    const { tracking, calls, endedOnce } = fakeTracking();
    const url = await serveWith(tracking, (_req, res) => {
      res.setHeader('set-cookie', ['theme=dark; Path=/']);
      res.statusCode = 201;
      res.end('ok');
    });
    const res = await get(url);
    await endedOnce;

    expect(res.headers['set-cookie']).toEqual(['theme=dark; Path=/', '_mbuzz_vid=v; Path=/']);
    expect(calls).toEqual({ cookies: [201], end: [201] });
  });

  it('ends with 499 when the visitor leaves before any header is sent', async () => {
    const { tracking, calls, endedOnce } = fakeTracking();
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const url = await serveWith(tracking, () => arrived());
    const request = http.get(url, { agent: false });
    request.on('error', () => {});
    await arrival;
    request.destroy();
    await endedOnce;

    expect(calls).toEqual({ cookies: [], end: [499] });
  });

  it('reports, and still answers, when cookies() or end() throw', async () => {
    const reported: unknown[] = [];
    const { tracking, endedOnce } = fakeTracking();
    const broken = Object.assign(Object.create(tracking), {
      cookies() {
        throw new Error('cookies broke');
      },
      end(status: number) {
        tracking.end(status);
        throw new Error('end broke');
      },
    });
    const url = await serveWith(
      broken,
      (_req, res) => res.end('ok'),
      (error) => reported.push(error),
    );
    const res = await get(url);
    await endedOnce;
    await new Promise((resolve) => setImmediate(resolve));

    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(reported.map((e) => (e as Error).message)).toEqual(['cookies broke', 'end broke']);
  });
});
