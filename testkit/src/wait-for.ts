/**
 * Polls `check` until it holds or the deadline passes (generous: CI machines are loaded).
 * Tests wait for conditions this way rather than sleeping, so they are neither slow nor flaky.
 */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Short polls first (most conditions hold within milliseconds), then back off.
  for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
