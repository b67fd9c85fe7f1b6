import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core; no browser downloads. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const haveBrowser = existsSync(chromiumPath);
export const shotsDir = process.env.SB_SHOTS_DIR || '/tmp/shots';
const webIndex = fileURLToPath(new URL('../../web/dist/index.html', import.meta.url));

const launchArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/**
 * Without Chromium a browser suite is skipped with a printed reason, or — with SB_REQUIRE_BROWSER=1 —
 * replaced by a failing test. Call at the top of a browser test file; use `describe.skipIf(!haveBrowser)`.
 */
export function announceBrowserAvailability(suite: string) {
  if (haveBrowser) return;
  if (process.env.SB_REQUIRE_BROWSER === '1') {
    describe(`${suite} (browser required)`, () => {
      it('has a Chromium to drive', () => {
        throw new Error(`SB_REQUIRE_BROWSER=1 but there is no Chromium at ${chromiumPath}; install "chromium" or set CHROMIUM_PATH`);
      });
    });
  } else {
    console.warn(
      `[${suite}] skipped: no Chromium at ${chromiumPath} (install Debian's "chromium" or set CHROMIUM_PATH; ` +
        'set SB_REQUIRE_BROWSER=1 to make its absence a failure)',
    );
  }
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(webIndex)) throw new Error('web/dist is missing: run `npm run build` first (`npm test` does it)');
  mkdirSync(shotsDir, { recursive: true });
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: launchArgs });
}
