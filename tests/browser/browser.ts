// Launches Debian's Chromium (infra/install-chromium.sh) through playwright-core, which ships
// no browser of its own. A fresh profile per launch, and every background service off, so a
// test never phones home or reuses state from an earlier run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CRUCIBLE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: run \`bash infra/install-chromium.sh\` (or set CRUCIBLE_CHROMIUM)`,
    );
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'crucible-chromium-'));
  // Playwright refuses --user-data-dir in args; a persistent context takes the fresh dir instead.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
