/**
 * How long a wait may take before it fails. Less than vitest's testTimeout (vitest.config.ts),
 * so a failing wait reports what it waited for rather than a bare test timeout.
 */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The one polling helper of the test suite: waits for an observable condition (a row present,
 * a log line, a fingerprint equal, a queue that found nothing left to do) instead of sleeping.
 *
 * Returns the first truthy value `check` gives, as soon as it gives one. The first tries come
 * quickly, then the interval grows (up to `interval`), so a long wait costs little CPU on a busy
 * machine. The timeout is generous on purpose: on two shared cores a federation round trip can
 * take seconds, and a wait that holds returns at once anyway. A check that throws is tried again;
 * on timeout the failure says what was awaited, for how long, and the last error seen.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  options: { timeout?: number; interval?: number } = {},
): Promise<NonNullable<T>> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const maxInterval = options.interval ?? 100;
  const started = Date.now();
  let delay = Math.min(5, maxInterval);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const elapsed = Date.now() - started;
    if (elapsed >= timeout) {
      const cause = lastError === undefined ? "" : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${elapsed} ms waiting for ${what}${cause}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, timeout - elapsed)));
    delay = Math.min(delay * 2, maxInterval);
  }
}
