/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium (SC_CHROMIUM overrides;
 * `bash scripts/chromium.sh install` installs it), driven by playwright-core, with a fresh
 * profile per launch and the test CA's certificates accepted. Never downloads a browser.
 * Screenshots go to test-output/screenshots/ (gitignored) for people to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../../sim/emulator/samples.js';

export const CHROMIUM = process.env['SC_CHROMIUM'] ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(repoRoot(), 'test-output', 'screenshots');

export const WIDE = { width: 1366, height: 900 } as const;
export const NARROW = { width: 390, height: 844 } as const;

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'sc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: WIDE,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves `<name>-wide.png` and `<name>-narrow.png` of the page as it is (full page). */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize() ?? WIDE;
  for (const [label, size] of [['wide', WIDE], ['narrow', NARROW]] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}
