import http from 'node:http';
import https from 'node:https';
import { navigationView } from '@mbuzz/core/testing';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  setCookies: string[];
  body: string;
}

export interface SendInit {
  method?: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  /** Destroys the connection once this settles, before the answer (a visitor who leaves). */
  abortAfter?: Promise<unknown>;
  /** A keep-alive agent, to send several requests on one connection (default: a connection each). */
  agent?: http.Agent;
}

/**
 * One HTTP request with exactly the headers given. Not `fetch`: it forces `Sec-Fetch-Mode: cors`, so it
 * cannot send what a browser sends when it navigates.
 */
export function send(url: string, init: SendInit = {}): Promise<Answer> {
  const headers = Object.fromEntries(
    Object.entries(init.headers ?? {}).filter(
      (entry): entry is [string, string | string[]] => entry[1] !== undefined,
    ),
  );
  return new Promise((resolve, reject) => {
    // The https tests use a self-signed certificate.
    const secure = url.startsWith('https:');
    const request = secure ? https.request : http.request;
    const options = {
      method: init.method ?? 'GET',
      headers,
      agent: init.agent ?? false,
      rejectUnauthorized: false,
    };
    const req = request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          setCookies: res.headers['set-cookie'] ?? [],
          body,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
    init.abortAfter?.then(() => req.destroy(new Error('aborted by the test')));
  });
}

/** What a browser sends when it navigates to `url` (see `navigationView` of `@mbuzz/core/testing`). */
export function navigate(url: string, init: Parameters<typeof navigationView>[1] = {}): Promise<Answer> {
  return send(url, { headers: navigationView(url, init).headers });
}
