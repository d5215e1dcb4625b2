import { readFileSync } from 'node:fs';

/** A self-signed certificate for `localhost`/127.0.0.1, for `serve(listener, TLS)` (send() accepts it). */
export const TLS = {
  cert: readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url)),
  key: readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url)),
};
