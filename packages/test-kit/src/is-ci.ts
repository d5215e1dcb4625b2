type Env = Record<string, string | undefined>;

/**
 * Whether the tests run in CI, where a missing browser or service fails the run instead of skipping its
 * tests. `CI` counts as set unless it is empty, `0` or `false`.
 */
export function isCi(env: Env = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}
