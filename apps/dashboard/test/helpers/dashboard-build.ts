import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The dashboard's build, which the service serves at `/` (`pnpm test` builds it with turbo first). */
export const DIST_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Fails with the command that builds the dashboard when its build is missing. */
export function requireDashboardBuild(): void {
  if (!existsSync(`${DIST_DIR}index.html`)) {
    throw new Error(
      `${DIST_DIR}index.html is missing: the dashboard tests need the built dashboard — run \`pnpm --filter @mbuzz/dashboard build\` (pnpm test runs \`turbo run build\` first)`,
    );
  }
}
