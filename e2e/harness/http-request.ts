import { request as httpRequest } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  setCookies: string[];
  body: string;
}

/**
 * One HTTP/1.1 request with exactly the headers given. Node's `fetch` cannot do this: it forces
 * `Sec-Fetch-Mode: cors` on every request, which would make every navigation look like an XHR.
 * Redirects are not followed.
 *
 * @example
 * const res = await sendRequest('GET', 'http://127.0.0.1:4000/', { 'sec-fetch-mode': 'navigate' });
 */
export function sendRequest(
  method: string,
  url: string,
  headers: Record<string, string | undefined>,
  body?: string,
): Promise<RawResponse> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) clean[name] = value;
  if (body !== undefined) clean['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: clean }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'];
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          setCookies: Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [],
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
