// The training panel's page in a real browser (Chromium through playwright-core), under the webview's CSP: it says ready first, draws the run, links warnings to lines, saves its state; evaluation points, earlier runs, histogram heat maps, class names and exports. Skipped where Chromium or playwright-core is missing.
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

type Browser = Awaited<ReturnType<NonNullable<typeof playwright>['chromium']['launch']>>;

/** The page bundled as dist/webview is, served under the webview's CSP with a stand-in for VS Code's webview API. */
async function openPanelPage(browser: Browser, out: string) {
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
  const post = (message: HostToPanelMessage) => page.evaluate((m) => window.postMessage(m, '*'), message);
  return { page, posted, post, problems };
}

test('the page under a nonce CSP: ready first, charts and images drawn, warnings link to their lines, state saved', { skip, timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'trainloop-panel-'));
  const browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const { page, posted, post, problems } = await openPanelPage(browser, out);
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    assert.ok(await page.isVisible('text=No training run yet'), 'with no session it shows how to start one');

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

test('evaluation points, earlier runs, histogram heat maps from 0, class names, the latest sample, CSV and PNG export', { skip, timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'trainloop-panel-'));
  const browser = await playwright!.chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const { page, posted, post, problems } = await openPanelPage(browser, out);
    const points = Array.from({ length: 50 }, (_, batch): BatchPoint => ({
      batch,
      epoch: batch < 25 ? 0 : 1,
      loss: 2 - batch / 50,
      gradNorms: batch % 10 === 9 ? { 'fc.weight': 0.5 } : ({} as Record<string, number>),
      updateRatios: {},
    }));
    const sample = (batch: number, spread: number) => ({
      batch,
      byParameter: { 'fc.weight': { weights: { min: -spread, max: spread, counts: [3, 8, 12, 8, 3] }, grads: { min: -0.1, max: 0.1, counts: [5, 9, 5] } } },
    });
    const session = { id: 'now', name: 'Trainloop: fashion.py', program: '/w/fashion.py', state: 'paused' as const, batch: 50, loss: 1.02 };
    await post({
      type: 'init',
      batchCount: 10,
      session,
      points,
      histograms: sample(40, 1.5),
      histogramHistory: [sample(10, 1), sample(20, 1.2), sample(40, 1.5)],
      evalPoints: [
        { batch: 24, epoch: 0, loss: 1.4, accuracy: 0.5, samples: 100 },
        { batch: 49, epoch: 1, loss: 0.9, accuracy: 0.625, samples: 100 },
      ],
      inputs: { batch: 49, shape: [2, 1, 4, 4], bytes: Buffer.from(Array.from({ length: 32 }, (_, i) => i * 8)).toString('base64'), labels: [1, 2], predictions: [1, 3], classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress'] },
      diagnostics: [],
      runs: [
        { id: 'before', name: 'Trainloop: fashion.py', startedAt: Date.UTC(2026, 0, 1, 9), batches: [0, 20, 40, 60], losses: [2.3, 1.8, 1.5, 1.3] },
        { id: 'now', name: 'Trainloop: fashion.py', startedAt: Date.UTC(2026, 0, 1, 10), batches: [0, 49], losses: [2, 1.02] },
      ],
    });
    await page.waitForSelector('.uplot');
    const legend = async () => (await page.locator('section.panel-section').first().locator('.u-legend').textContent()) ?? '';
    // This run's loss with its smoothing, the evaluation's loss and accuracy, one earlier run (this one is not repeated).
    assert.match(await legend(), /eval loss/);
    assert.match(await legend(), /eval accuracy/);
    assert.equal((await legend()).match(/run \d+:/g)?.length, 1, 'the earlier run is overlaid, the current one is not drawn twice');
    assert.match((await page.locator('section.panel-section').first().locator('.note').textContent()) ?? '', /Last evaluation: loss 0\.9, accuracy 62\.5% \(100 samples\)\./);
    await page.uncheck('.runs-toggle input');
    await page.waitForFunction(() => !/run \d+:/.test(document.querySelector('section.panel-section .u-legend')?.textContent ?? ''));

    // Both histograms' y axes start at 0, and each parameter's last samples show as heat maps, oldest first.
    const yRanges = await page.$$eval('.histogram', (hosts) => hosts.map((h) => (h as HTMLElement).dataset.yRange));
    assert.equal(yRanges.length, 2);
    for (const range of yRanges) assert.equal(range?.split(',')[0], '0', `the y axis starts at 0 (${range})`);
    const heatMaps = () => page.$$eval('canvas.heat-map', (maps) => maps.map((m) => ({ shown: !(m as HTMLCanvasElement).hidden, batches: (m as HTMLCanvasElement).dataset.batches })));
    assert.deepEqual(await heatMaps(), [{ shown: true, batches: '10,20,40' }, { shown: true, batches: '10,20,40' }]);
    const litPixels = await page.$eval('canvas.heat-map', (canvas) => {
      const { data } = (canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height);
      let lit = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) lit++;
      return lit;
    });
    assert.ok(litPixels > 500, `the heat map is drawn (${litPixels} pixels)`);

    // The images' labels and predictions by the dataset's class names.
    const captions = await page.$$eval('.images figcaption', (items) => items.map((c) => c.textContent));
    assert.deepEqual(captions, ['label Trouserpred Trouser', 'label Pullover' + 'pred Dress']);

    // A later sample is shown at once: its batch, and one more row in the heat maps.
    await post({ type: 'update', points: [{ batch: 50, loss: 1, gradNorms: {}, updateRatios: {} }], histograms: sample(50, 1.6), inputs: { batch: 50, shape: [1, 1, 4, 4], bytes: Buffer.from(Array.from({ length: 16 }, (_, i) => i)).toString('base64'), labels: [0], classes: ['T-shirt/top'] } });
    await page.waitForFunction(() => document.querySelectorAll('section.panel-section')[3].querySelector('.note')?.textContent === 'Batch 50.');
    assert.deepEqual((await heatMaps()).map((m) => m.batches), ['10,20,40,50', '10,20,40,50']);
    // The images' section waits until it is in view.
    await page.evaluate(() => document.querySelectorAll('section.panel-section')[4].scrollIntoView());
    await page.waitForFunction(() => document.querySelectorAll('section.panel-section')[4].querySelector('.note')?.textContent?.startsWith('Batch 50'));
    assert.deepEqual(await page.$$eval('.images figcaption', (items) => items.map((c) => c.textContent)), ['label T-shirt/top']);

    // Export: the curves as CSV text for the host to save, and a chart as a PNG.
    await page.click('button:has-text("Export CSV")');
    await page.locator('section.panel-section').first().locator('button.save-png').click();
    const exports = (await posted()).filter((m) => m.type === 'exportCsv' || m.type === 'exportPng');
    assert.equal(exports.length, 2);
    const csv = exports[0].type === 'exportCsv' ? exports[0].text.split('\n') : [];
    assert.equal(csv[0], 'batch,epoch,loss,eval_loss,eval_accuracy,grad_norm:fc.weight');
    assert.equal(csv.length, 51 + 1 + 1, 'a header, 51 batches and the final newline');
    assert.equal(csv[1], '0,0,2,,,');
    assert.equal(csv[25], '24,0,1.52,1.4,0.5,');
    assert.equal(csv[50], '49,1,1.02,0.9,0.625,0.5');
    assert.ok(exports[1].type === 'exportPng' && exports[1].name === 'loss' && exports[1].dataUrl.startsWith('data:image/png;base64,'), 'the loss chart as a PNG');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    rmSync(out, { recursive: true, force: true });
  }
});
