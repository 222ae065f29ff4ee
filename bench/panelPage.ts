// The panel bench's page: the built training panel (dist/webview/trainingPanel.js) in headless Chromium under the
// webview's nonce CSP, with the VS Code webview API stubbed; posts host messages to it and times what each one costs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** What one message cost the page. */
export interface MessageCost {
  /** The page's own script: its message handler, then the render it scheduled for the next frame. */
  scriptMs: number;
  /** Everything the page's main thread did meanwhile (CDP TaskDuration: script, style, layout, paint, and this
   * harness's own evaluate), from posting the message until after the frame that drew it. */
  busyMs: number;
}

const NONCE = 'YmVuY2gtcGFuZWwtbm9uY2U=';

// VS Code's webview API as the page sees it, and a hook that runs before the page's own message listener.
const HOST_JS = `window.__posted = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => window.__state, setState: (s) => { window.__state = s; } });
window.__beforePage = null;
window.addEventListener('message', (event) => { if (window.__beforePage) window.__beforePage(event); });`;

export class PanelPage {
  private constructor(
    private readonly page: Page,
    private readonly cdp: CDPSession,
  ) {}

  /** Opens the page and waits for its `ready`. */
  static async open(browser: Browser, root: string): Promise<PanelPage> {
    const webview = join(root, 'dist', 'webview');
    const csp = `default-src 'none'; img-src https://webview.test data:; style-src https://webview.test; script-src 'nonce-${NONCE}'`;
    const files: Record<string, [string, string | Buffer]> = {
      '/index.html': [
        'text/html',
        `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="https://webview.test/trainingPanel.css"><link rel="stylesheet" href="https://webview.test/media.css"></head>
<body><main id="app"></main><script nonce="${NONCE}" src="https://webview.test/host.js"></script>
<script nonce="${NONCE}" src="https://webview.test/trainingPanel.js"></script></body></html>`,
      ],
      '/host.js': ['text/javascript', HOST_JS],
      '/trainingPanel.js': ['text/javascript', readFileSync(join(webview, 'trainingPanel.js'))],
      '/trainingPanel.css': ['text/css', readFileSync(join(webview, 'trainingPanel.css'))],
      '/media.css': ['text/css', readFileSync(join(root, 'media', 'trainingPanel.css'))],
    };
    const page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
    page.on('pageerror', (error) => console.error(`panel page error: ${error.message}`));
    await page.route('https://webview.test/**', (route) => {
      const file = files[new URL(route.request().url()).pathname];
      return file ? route.fulfill({ contentType: file[0], body: file[1] }) : route.fulfill({ status: 404, body: '' });
    });
    await page.goto('https://webview.test/index.html');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'ready'));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    return new PanelPage(page, cdp);
  }

  /** Delivers a message as the webview would (serialized), without waiting for the page to draw it. */
  post(json: string): Promise<void> {
    return this.page.evaluate((text) => window.postMessage(JSON.parse(text), '*'), json);
  }

  private async mainThreadMs(): Promise<number> {
    const { metrics } = (await this.cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
    return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
  }

  /** Delivers a message and waits until the frame after it was drawn; `null` times the harness alone. */
  async measure(json: string | null): Promise<MessageCost> {
    const before = await this.mainThreadMs();
    const scriptMs = await this.page.evaluate(
      (text) =>
        new Promise<number>((resolve) => {
          const w = window as unknown as { __beforePage: ((event: MessageEvent) => void) | null };
          let handlerStart = 0;
          let renderStart = 0;
          // Runs before the page's listener: its rAF callback runs before the render the page schedules.
          w.__beforePage = () => {
            w.__beforePage = null;
            handlerStart = performance.now();
            requestAnimationFrame(() => (renderStart = performance.now()));
          };
          // Runs after the page's listener: its rAF callback runs after that render.
          window.addEventListener(
            'message',
            () => {
              const handlerMs = performance.now() - handlerStart;
              requestAnimationFrame(() => {
                const renderMs = performance.now() - renderStart;
                setTimeout(() => resolve(handlerMs + renderMs), 0);
              });
            },
            { once: true },
          );
          window.postMessage(text === null ? null : JSON.parse(text), '*');
        }),
      json,
    );
    return { scriptMs, busyMs: (await this.mainThreadMs()) - before };
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}
