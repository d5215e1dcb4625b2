// Runs the built app (`next build` first) like `next start`, but prints the one line the e2e tests wait
// for and exits 0 on SIGTERM/SIGINT once in-flight requests and their after()/waitUntil work are done.
import { createServer } from 'node:http';
import next from 'next';

const host = process.env.HOST ?? '127.0.0.1';
let setHandler;
const ready = new Promise((resolve) => {
  setHandler = resolve;
});
const server = createServer((req, res) => ready.then((handle) => handle(req, res)));
await new Promise((resolve) => server.listen(Number(process.env.PORT ?? 4000), host, resolve));
const { port } = server.address();

const app = next({ dev: false, dir: import.meta.dirname, hostname: host, port });
await app.prepare();
setHandler(app.getRequestHandler());
console.log(`listening on http://${host}:${port}`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    await new Promise((resolve) => server.close(resolve));
    await app.close();
    process.exit(0);
  });
}
