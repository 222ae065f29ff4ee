// The training panel's page in a real browser (Chromium through playwright-core), under the webview's CSP: it says ready first, draws the run, links warnings to lines, saves its state. Skipped where Chromium or playwright-core is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { BatchPoint, HostToPanelMessage, PanelToHostMessage } from '../../src/webview/panelProtocol';
import { repoRoot } from './support';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function loadPlaywright(): typeof import('playwright-core') | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('playwright-core') as typeof import('playwright-core');
  } catch {
    return null;
  }
}

const playwright = loadPlaywright();
const skip = !playwright ? 'playwright-core is not installed' : !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : false;

test('the page under a nonce CSP: ready first, charts and images drawn, warnings link to their lines, state saved', { skip, timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'trainloop-panel-'));
  const browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    await build({
      entryPoints: [join(repoRoot, 'src', 'webview', 'trainingPanel.ts')],
      outfile: join(out, 'trainingPanel.js'),
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      logLevel: 'silent',
    });
    const nonce = 'dGVzdC1ub25jZS0xMjM0NQ==';
    const csp = `default-src 'none'; img-src https://webview.test data:; style-src https://webview.test; script-src 'nonce-${nonce}'`;
    const files: Record<string, [string, string | Buffer]> = {
      '/index.html': [
        'text/html',
        `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="https://webview.test/trainingPanel.css"><link rel="stylesheet" href="https://webview.test/media.css"></head>
<body><main id="app"></main><script nonce="${nonce}" src="https://webview.test/host.js"></script>
<script nonce="${nonce}" src="https://webview.test/trainingPanel.js"></script></body></html>`,
      ],
      // What VS Code's webview provides: acquireVsCodeApi with postMessage and getState/setState.
      '/host.js': ['text/javascript', 'window.__posted=[];window.__state=undefined;window.acquireVsCodeApi=()=>({postMessage:m=>window.__posted.push(m),getState:()=>window.__state,setState:s=>{window.__state=s}});'],
      '/trainingPanel.js': ['text/javascript', readFileSync(join(out, 'trainingPanel.js'))],
      '/trainingPanel.css': ['text/css', readFileSync(join(out, 'trainingPanel.css'))],
      '/media.css': ['text/css', readFileSync(join(repoRoot, 'media', 'trainingPanel.css'))],
    };
    const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.route('https://webview.test/**', (route) => {
      const file = files[new URL(route.request().url()).pathname];
      return file ? route.fulfill({ contentType: file[0], body: file[1] }) : route.fulfill({ status: 404, body: '' });
    });
    await page.goto('https://webview.test/index.html');
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    const posted = () => page.evaluate(() => (window as unknown as { __posted: PanelToHostMessage[] }).__posted);
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    assert.ok(await page.isVisible('text=No training run yet'), 'with no session it shows how to start one');

    const post = (message: HostToPanelMessage) => page.evaluate((m) => window.postMessage(m, '*'), message);
    // As the runtime reports them: every batch's loss, gradient norms measured at some batches only.
    const points = Array.from({ length: 200 }, (_, batch): BatchPoint => ({
      batch,
      loss: 2.3 * Math.exp(-batch / 60),
      gradNorms: batch % 10 === 9 ? { 'fc.weight': 0.5 + batch / 100, 'fc.bias': 0.05 } : ({} as Record<string, number>),
      updateRatios: { 'fc.weight': 1e-3 },
    }));
    await post({
      type: 'init',
      batchCount: 10,
      session: { id: 's', name: 'Trainloop: quickstart.py', program: '/w/quickstart.py', backend: 'wasm', state: 'paused', batch: 200, loss: 2.3 * Math.exp(-199 / 60) },
      points,
      histograms: { batch: 199, byParameter: { 'fc.weight': { weights: { min: -1, max: 1, counts: [1, 4, 9, 4, 1] }, grads: { min: -0.1, max: 0.1, counts: [2, 3, 2] } } } },
      inputs: { batch: 199, shape: [2, 1, 28, 28], bytes: Buffer.from(Array.from({ length: 2 * 28 * 28 }, (_, i) => (i % 7) * 40)).toString('base64'), labels: [9, 2], predictions: [9, 4] },
      diagnostics: [{ code: 'TL001', title: 'Gradient accumulation: zero_grad() missing', message: 'Gradients accumulate…', origin: 'static', path: '/w/quickstart.py', line: 86, col: 8 }],
    });
    await page.waitForSelector('.uplot');
    assert.equal(await page.locator('.uplot').count(), 5, 'loss, gradient norms, update ratios, weight and gradient histograms');
    assert.equal(await page.locator('.images canvas').count(), 2);
    assert.equal(await page.locator('.prediction.wrong').count(), 1, 'a wrong prediction stands out');
    // The images' base64 bytes decoded and each image stretched over its own range (0..240 here): 0, 40, 80 → 0, 42, 85.
    const firstPixels = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('.images canvas');
      return Array.from(canvas?.getContext('2d')?.getImageData(0, 0, 3, 1).data ?? []);
    });
    assert.deepEqual(firstPixels, [0, 0, 0, 255, 42, 42, 42, 255, 85, 85, 85, 255]);
    // 200 batches trained (0 to 199): paused at batch 200, as the adapter and the status bar say.
    assert.match((await page.textContent('.status')) ?? '', /Paused · backend wasm · batch 200 · loss 0\.0834/);
    // The gradient norms are drawn as lines joining their measurements, not as lone (invisible) points between gaps.
    const gradientPixels = await page.evaluate(() => {
      const section = Array.from(document.querySelectorAll('section.panel-section')).find((s) => s.querySelector('h2')?.textContent === 'Gradient norm per parameter');
      const canvas = section?.querySelector<HTMLCanvasElement>('.uplot canvas');
      const context = canvas?.getContext('2d');
      if (!canvas || !context) return -1;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let blue = 0;
      // The first series' colour, #3794ff (no theme variables here).
      for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 0x37) < 40 && Math.abs(data[i + 1] - 0x94) < 40 && data[i + 2] > 200 && data[i + 3] > 100) blue++;
      return blue;
    });
    assert.ok(gradientPixels > 300, `the gradient norm chart draws its lines (${gradientPixels} pixels of the first series' colour)`);

    await post({ type: 'update', points: [{ batch: 200, loss: 'NaN', gradNorms: {}, updateRatios: {} }], session: { id: 's', name: 'Trainloop: quickstart.py', program: '/w/quickstart.py', state: 'running' } });
    await page.waitForFunction(() => document.querySelector('.status')?.textContent?.includes('loss NaN'));
    assert.ok(await page.isVisible('text=The loss became NaN or infinite'));
    assert.ok(await page.locator('button:has-text("Continue")').isDisabled(), 'Continue only while paused');

    // A message redraws what it changes: the warnings stay the same elements through session changes and updates.
    const warningMarked = () => page.evaluate(() => (document.querySelector('li.warning') as unknown as { mark?: number } | null)?.mark === 1);
    await page.evaluate(() => ((document.querySelector('li.warning') as unknown as { mark: number }).mark = 1));
    await post({ type: 'session', session: { id: 's', name: 'Trainloop: quickstart.py', program: '/w/quickstart.py', state: 'paused', batch: 201, loss: 1.5 } });
    await page.waitForFunction(() => document.querySelector('.status')?.textContent?.includes('Paused · batch 201 · loss 1.5'));
    await post({ type: 'update', points: [{ batch: 201, loss: 1.25, gradNorms: {}, updateRatios: {} }], session: { id: 's', name: 'Trainloop: quickstart.py', program: '/w/quickstart.py', state: 'running', batch: 202, loss: 1.25 } });
    await page.waitForFunction(() => document.querySelector('.status')?.textContent?.includes('batch 202'));
    assert.ok(await warningMarked(), 'the warnings were not rebuilt');
    await post({ type: 'diagnostics', diagnostics: [{ code: 'TL001', title: 'Gradient accumulation: zero_grad() missing', message: 'Gradients accumulate…', origin: 'static', path: '/w/quickstart.py', line: 86, col: 8 }, { code: 'TL007', title: 'Softmax before CrossEntropyLoss', message: 'Double softmax…', origin: 'static', path: '/w/quickstart.py', line: 40, col: 4 }] });
    await page.waitForFunction(() => document.querySelectorAll('li.warning').length === 2);
    assert.ok(!(await warningMarked()), 'new warnings are drawn');

    // A chart out of view is drawn when it comes into view, not while it is out of it.
    const histogramNote = () => page.evaluate(() => document.querySelectorAll('section.panel-section')[3].querySelector('.note')?.textContent);
    assert.equal(await histogramNote(), 'Batch 199.');
    await page.setViewportSize({ width: 900, height: 300 });
    await page.evaluate(() => window.scrollTo(0, 0));
    // Until the browser has reported the section out of view, the page counts it as shown. Observers are told in the
    // order they were made: when this one hears it, the page's has.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const observer = new IntersectionObserver((entries) => {
            if (entries.at(-1)?.isIntersecting === false) {
              observer.disconnect();
              resolve();
            }
          });
          observer.observe(document.querySelectorAll('section.panel-section')[3]);
        }),
    );
    await post({ type: 'update', points: [], histograms: { batch: 202, byParameter: { 'fc.weight': { weights: { min: -2, max: 2, counts: [1, 2, 1] } } } } });
    await page.waitForTimeout(200);
    assert.equal(await histogramNote(), 'Batch 199.', 'the histograms out of view wait');
    await page.evaluate(() => document.querySelectorAll('section.panel-section')[3].scrollIntoView());
    await page.waitForFunction(() => document.querySelectorAll('section.panel-section')[3].querySelector('.note')?.textContent === 'Batch 202.');
    await page.setViewportSize({ width: 900, height: 1200 });

    await page.click('a.location');
    await page.click('button:has-text("Stop")');
    assert.deepEqual((await posted()).slice(1), [
      { type: 'openLocation', path: '/w/quickstart.py', line: 86, col: 8 },
      { type: 'run', action: 'stop' },
    ]);
    await page.waitForFunction(() => (window as unknown as { __state?: unknown }).__state !== undefined, undefined, { timeout: 5000 });
    const saved = await page.evaluate(() => (window as unknown as { __state: { snapshot: { points: unknown[] } } }).__state);
    assert.equal(saved.snapshot.points.length, 202, 'the run is kept for when the panel comes back');

    // A new run: the last run's charts and images go out of sight, and its first batch draws them again in the same
    // charts (making five uPlot charts anew at every run's start cost more than its later updates).
    await page.evaluate(() => ((document.querySelector('.uplot canvas') as unknown as { mark: number }).mark = 1));
    const session = { id: 't', name: 'Trainloop: quickstart.py', program: '/w/quickstart.py', state: 'running' as const };
    await post({ type: 'reset', session });
    await page.waitForSelector('text=Waiting for the first batch…');
    assert.equal(await page.locator('.uplot:visible').count(), 0, 'no chart of the last run shows');
    assert.equal(await page.locator('.images canvas:visible').count(), 0, 'no image of the last run shows');
    await post({ type: 'update', session: { ...session, batch: 1, loss: 2 }, points: [{ batch: 0, loss: 2, gradNorms: { 'fc.weight': 1 }, updateRatios: {} }] });
    await page.waitForFunction(() => document.querySelectorAll('.uplot:not([hidden])').length === 2);
    assert.ok(await page.evaluate(() => (document.querySelector('.uplot canvas') as unknown as { mark?: number }).mark === 1), 'the loss chart is the same');
    assert.ok(!(await page.isVisible('text=Waiting for the first batch…')));
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    rmSync(out, { recursive: true, force: true });
  }
});
