/**
 * The main entry must run on Edge runtimes (Vercel/Next middleware, Cloudflare Workers): no `node:`
 * module, no Node builtin, no `process`/`require`/`Buffer`. Two proofs on the BUILT package (run
 * `pnpm --filter @mbuzz/core build` first; `pnpm test` does):
 *  (a) a static walk of the whole import graph of dist/index.js, dependencies included;
 *  (b) the bundled entry loaded in a V8 context holding only Web globals, tracking a page view.
 */
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import * as esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const distDir = fileURLToPath(new URL('../dist/', import.meta.url));
const BUILTINS = new Set(builtinModules);

interface Walk {
  code: string;
  /** `node:`/builtin imports found, as `importer → specifier`. */
  nodeImports: string[];
  /** Every file the walk reached. */
  files: string[];
}

/** Bundles an entry the way an Edge bundler would (neutral platform, web/worker conditions). */
async function walk(entry: string): Promise<Walk> {
  const nodeImports: string[] = [];
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'neutral',
    format: 'iife',
    globalName: '__mbuzz',
    mainFields: ['module', 'main'],
    conditions: ['edge-light', 'worker', 'browser', 'import', 'default'],
    logLevel: 'silent',
    plugins: [
      {
        name: 'find-node-imports',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            const bare = args.path.replace(/^node:/, '').split('/')[0] as string;
            if (args.path.startsWith('node:') || BUILTINS.has(args.path) || BUILTINS.has(bare)) {
              nodeImports.push(`${args.importer} → ${args.path}`);
              return { path: args.path, external: true };
            }
            return undefined;
          });
        },
      },
    ],
  });
  return {
    code: result.outputFiles[0]?.text ?? '',
    nodeImports,
    files: Object.keys(result.metafile.inputs),
  };
}

beforeAll(() => {
  if (!existsSync(`${distDir}index.js`)) {
    throw new Error('dist/index.js is missing: run `pnpm --filter @mbuzz/core build` before this test');
  }
});

describe('static import graph', () => {
  it('dist/index.js and everything it imports use no node: module or Node builtin', async () => {
    const { nodeImports, files } = await walk(`${distDir}index.js`);
    expect(nodeImports).toEqual([]);
    // The walk really went through the dependencies, not just our own file.
    expect(files.some((f) => f.includes('/isbot/'))).toBe(true);
    expect(files.some((f) => f.includes('/undici/'))).toBe(false);
    // The Node adapters' response tracking (on-headers) is reachable from /node only.
    expect(files.some((f) => f.includes('/on-headers/'))).toBe(false);
  });

  it('the walk does catch Node imports (control: the /node entry uses undici)', async () => {
    const { nodeImports, files } = await walk(`${distDir}node.js`);
    expect(nodeImports.length).toBeGreaterThan(0);
    expect(nodeImports.join('\n')).toMatch(/undici/);
    expect(files.some((f) => f.includes('/on-headers/'))).toBe(true);
  });
});

describe('Edge-like runtime', () => {
  /** Only Web platform globals, as an Edge runtime offers; timers return numbers like in browsers. */
  function edgeContext(fetch: typeof globalThis.fetch) {
    const timers = new Map<number, ReturnType<typeof setTimeout>>();
    let nextTimer = 1;
    const track = (timer: ReturnType<typeof setTimeout>) => {
      timers.set(nextTimer, timer);
      return nextTimer++;
    };
    const context = vm.createContext({
      fetch,
      Request,
      Response,
      Headers,
      crypto: globalThis.crypto,
      TextEncoder,
      TextDecoder,
      URL,
      URLSearchParams,
      AbortController,
      AbortSignal,
      DOMException,
      Event,
      EventTarget,
      atob,
      btoa,
      structuredClone,
      queueMicrotask,
      console,
      setTimeout: (fn: () => void, ms?: number) => track(setTimeout(fn, ms)),
      setInterval: (fn: () => void, ms?: number) => track(setInterval(fn, ms)),
      clearTimeout: (id: number) => clearTimeout(timers.get(id)),
      clearInterval: (id: number) => clearInterval(timers.get(id)),
    });
    return { context, timers };
  }

  it('loads the main entry without process/require/Buffer and delivers a page view through fetch', async () => {
    const { code } = await walk(`${distDir}index.js`);
    const requests: Array<{ url: string; init: RequestInit }> = [];
    const fetch = (async (url: string, init: RequestInit) => {
      requests.push({ url: String(url), init });
      return new Response(JSON.stringify({ accepted: 1, duplicates: 0, rejected: [] }), {
        status: 202,
        headers: { 'content-type': 'application/json' },
      });
    }) as unknown as typeof globalThis.fetch;
    const { context, timers } = edgeContext(fetch);

    expect(
      vm.runInContext('[typeof process, typeof require, typeof Buffer, typeof module]', context),
    ).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
    vm.runInContext(code, context, { filename: 'dist/index.js (edge bundle)' });
    const core = context.__mbuzz as typeof import('../src/index.js');

    const apiKey = `sk_test_${'ab'.repeat(16)}`;
    const client = core.createClient({ apiKey, apiUrl: 'https://ingest.example/api/v1', batchSize: 10 });
    expect(client.enabled).toBe(true);
    const tracking = client.begin({
      method: 'GET',
      url: 'https://shop.example/pricing?utm_source=edge&utm_medium=test',
      headers: {
        accept: 'text/html',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
        'user-agent':
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
        referer: 'https://www.google.com/',
      },
    });
    const cookies = tracking.cookies(200);
    expect(cookies.map((c) => c.name)).toEqual(['_mbuzz_vid', '_mbuzz_sid']);
    expect(cookies[0]?.header).toContain('Secure');
    tracking.end(200);
    await client.flush();
    const closed = await client.close({ timeoutMs: 1000 });

    expect(closed).toEqual({ sent: 1, dropped: 0, pending: 0 });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe('https://ingest.example/api/v1/events');
    const headers = new Headers(request?.init.headers);
    expect(headers.get('authorization')).toBe(`Bearer ${apiKey}`);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.get('user-agent')).toMatch(/^mbuzz-node\/\d+\.\d+\.\d+/);
    const body = JSON.parse(String(request?.init.body));
    expect(body.events).toHaveLength(1);
    expect(body.events[0]).toMatchObject({
      event_type: 'page_view',
      visitor_id: tracking.visitorId,
      session_id: tracking.sessionId,
      properties: {
        url: 'https://shop.example/pricing?utm_source=edge&utm_medium=test',
        path: '/pricing',
        referrer: 'https://www.google.com/',
        utm_source: 'edge',
        utm_medium: 'test',
      },
    });
    for (const timer of timers.values()) clearTimeout(timer);
  });

  it('without an API key (no process.env to read) the client warns once and is a no-op', () => {
    return walk(`${distDir}index.js`).then(({ code }) => {
      const { context } = edgeContext((() => {
        throw new Error('must not be called');
      }) as unknown as typeof globalThis.fetch);
      vm.runInContext(code, context);
      const core = context.__mbuzz as typeof import('../src/index.js');
      const warnings: string[] = [];
      const client = core.createClient({ logger: { warn: (m) => warnings.push(m), error: () => {} } });
      expect(client.enabled).toBe(false);
      client.begin({ method: 'GET', url: 'https://a.example/', headers: {} }).end(200);
      expect(warnings).toHaveLength(1);
    });
  });
});
