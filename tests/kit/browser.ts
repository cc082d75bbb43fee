import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (never `playwright install`: no downloads here). */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });

/** Where the web client keeps its session (web/src/lib/session.svelte.ts). */
export const sessionKey = 'primetrade.session';

export interface BrowserSession {
  readonly user: unknown;
  readonly accessToken: string;
  readonly refreshToken: string;
}

/**
 * A browser context signed in with `session`, as the app keeps it in localStorage. Only when the
 * storage is empty: the app rotates tokens and must keep its newer pair across reloads.
 */
export async function signedInContext(
  browser: Browser,
  session: BrowserSession,
  viewport = { width: 1400, height: 900 },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  const value = JSON.stringify({
    user: session.user,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
  });
  // A string, not a function: this module is compiled without the DOM's types.
  await context.addInitScript({
    content: `if (location.protocol.startsWith('http') && localStorage.getItem(${JSON.stringify(sessionKey)}) === null) localStorage.setItem(${JSON.stringify(sessionKey)}, ${JSON.stringify(value)});`,
  });
  return context;
}
