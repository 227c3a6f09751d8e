// The console as built (scripts/build-web.sh with esbuild): a page loads the bundle, not the
// source modules one by one; the report pages add one lazily loaded chunk; a later tab takes every
// script from the browser's cache (immutable, versioned URLs) and only revalidates the page.
// Its own county (codes 5201...), so it shares the server with the other browser tests (run.sh).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { base, call } from './seed.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(repo, 'web/package.json'))('playwright-core');
const tmpRoot = process.env.DIXIAN_WEB_TMP || os.tmpdir();
const kArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
// The bundle's files: the page's first script (early.js), the entry and esbuild's chunks, under
// the release directory.
const kBundled = /\/v\/[0-9a-f]{12}\/js\/(early|boot|chunk-[A-Z0-9]+)\.js$/;
const kSourceModules = ['app.js', 'api.js', 'session.js', 'routes.js', 'route-table.js', 'dom.js', 'labels.js',
  'pages/tasks.js'];

let context;
after(async () => { if (context) await context.close().catch(() => {}); });

// Every script the page asked for, and which of them went to the network (not a cache), by CDP.
async function watchScripts(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const seen = { scripts: [], network: [], documentStatus: [] };
  const urls = new Map();
  const documents = new Set();
  cdp.on('Network.requestWillBeSent', (e) => {
    urls.set(e.requestId, e.request.url);
    if (e.type === 'Document') documents.add(e.requestId);
    if (/\.js(\?|$)/.test(new URL(e.request.url).pathname)) seen.scripts.push(e.request.url);
  });
  // The status on the wire (responseReceived shows a revalidated 304 as the cached 200).
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    if (documents.has(e.requestId)) seen.documentStatus.push(e.statusCode);
  });
  cdp.on('Network.responseReceived', (e) => {
    const { url, fromDiskCache, fromPrefetchCache, fromServiceWorker } = e.response;
    if (/\.js$/.test(new URL(url).pathname) && !fromDiskCache && !fromPrefetchCache && !fromServiceWorker) {
      seen.network.push(url);
    }
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const url = urls.get(e.requestId);
    seen.network = seen.network.filter((u) => u !== url);
  });
  return seen;
}

test('the page loads the bundle; a later tab takes its scripts from the cache', async (t) => {
  await call('POST', '/api/v1/orgs', { code: '5201', name: '黔中省', level: 'province', parent: null });
  await call('POST', '/api/v1/orgs', { code: '520121', name: '开阳县', level: 'county', parent: '5201' });
  const { token } = await call('POST', '/api/v1/users',
    { id: 'bundle-county', name: '杨光明', role: 'county_officer', org: '520121', mobile: '13900003001' });

  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmpRoot, 'chromium-')), {
    executablePath: process.env.DIXIAN_CHROMIUM || '/usr/bin/chromium', headless: true, args: kArgs,
    // No service worker (as in a chat app's browser without one: the worker is an acceleration
    // only): this is the path over the network and the HTTP cache; worker.test.mjs has the other.
    locale: 'zh-CN', viewport: { width: 390, height: 844 }, serviceWorkers: 'block',
  });
  const problems = [];
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  let release;

  await t.test('first visit: the entry and one shared chunk, both preloaded by the page; minified, no source maps', async () => {
    const seen = await watchScripts(page);
    await page.goto(`${base}/#/login`);
    await page.locator('#token').waitFor();
    const html = await (await fetch(`${base}/`)).text();
    release = html.match(/src="v\/([0-9a-f]{12})\/js\/boot\.js"/)[1];
    const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
    assert.equal(preloaded[0], `v/${release}/js/boot.js`);
    assert.equal(preloaded.length, 2, `the entry and one chunk: ${preloaded.join(', ')}`);
    assert.match(preloaded[1], /^v\/[0-9a-f]{12}\/js\/chunk-[A-Z0-9]+\.js$/);
    // early.js: a plain script in the head, before the stylesheet and the app (it starts the
    // page's API calls while the rest loads).
    assert.match(html, new RegExp(`<script src="v/${release}/js/early\\.js"></script>\\s*<link rel="stylesheet"`));
    assert.ok(html.indexOf('js/early.js') < html.indexOf('js/boot.js'), 'early.js comes before the app');
    const scripts = [...new Set(seen.scripts)];
    assert.deepEqual(scripts.map((u) => new URL(u).pathname).sort(),
      [...preloaded, `v/${release}/js/early.js`].map((p) => `/${p}`).sort(),
      'the page loads exactly early.js and the preloaded bundle');
    for (const url of scripts) {
      assert.match(url, kBundled);
      const res = await fetch(url);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      const body = await res.text();
      assert.doesNotMatch(body, /sourceMappingURL/, `${url} names no source map`);
      assert.ok(body.split('\n').length < 10, `${url} is minified`);
    }
    for (const m of kSourceModules) {
      assert.equal((await fetch(`${base}/v/${release}/js/${m}`)).status, 404, `${m} is inside the bundle, not served`);
    }
  });

  await t.test('signed in: the inbox works from the bundle', async () => {
    await page.locator('#token').fill(token);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#whoami').getByText('县级审定').waitFor();
    await page.locator('main h1', { hasText: '我的待办' }).waitFor();
  });

  await t.test('a report page adds its one lazily loaded chunk', async () => {
    const seen = await watchScripts(page);
    await page.goto(`${base}/#/overdue`);
    await page.locator('main h1', { hasText: '逾期督办' }).waitFor();
    await page.locator('main .cards .card-value').first().waitFor();
    const scripts = [...new Set(seen.scripts)].map((u) => new URL(u).pathname);
    assert.equal(scripts.length, 1, `one chunk for the report pages: ${scripts.join(', ')}`);
    assert.match(scripts[0], new RegExp(`^/v/${release}/js/chunk-[A-Z0-9]+\\.js$`));
  });

  await t.test('a new tab: no script from the network, the page revalidated (304)', async () => {
    const tab = await context.newPage();
    tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const seen = await watchScripts(tab);
    await tab.goto(`${base}/#/tasks`);
    await tab.locator('main h1', { hasText: '我的待办' }).waitFor();
    await tab.locator('#whoami').getByText('杨光明').waitFor();
    assert.ok(seen.scripts.length >= 2, `the bundle was asked for: ${seen.scripts.join(', ')}`);
    assert.deepEqual(seen.network, [], 'every script came from the cache');
    assert.deepEqual(seen.documentStatus, [304], 'the page itself is revalidated, not fetched again');
    await tab.close();
  });

  // The later-page path on a phone (docs/console.md, "Transfer cost"): the page's data is asked
  // for by early.js while the page is read, before the app's first line runs, once; nothing
  // else goes to the network but the page's revalidation.
  await t.test('a later page in a new tab: its data asked for before the app runs, once', async () => {
    const tab = await context.newPage();
    tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const requests = [];
    tab.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await tab.goto(`${base}/#/tasks`);
    await tab.locator('#task-summary', { hasText: '您目前没有待办事项' }).waitFor();
    const at = await tab.evaluate(() => ({
      early: performance.getEntriesByName('dixian:early').map((m) => m.startTime),
      boot: performance.getEntriesByName('dixian:boot').map((m) => m.startTime),
      api: performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/'))
        .map((r) => ({ path: new URL(r.name).pathname, start: r.startTime })),
    }));
    assert.equal(at.early.length, 1, 'early.js started the data');
    assert.equal(at.boot.length, 1);
    assert.ok(at.early[0] < at.boot[0], `early.js ran before the app (${at.early[0]} < ${at.boot[0]} ms)`);
    assert.deepEqual(at.api.map((r) => r.path), ['/api/v1/tasks'], 'one request for the inbox');
    assert.ok(at.api[0].start < at.boot[0], `asked for before the app ran (${at.api[0].start} < ${at.boot[0]} ms)`);
    assert.deepEqual(requests.filter((p) => p.startsWith('/api/')), ['/api/v1/tasks']);
    await tab.close();
  });

  // app.js route(): the header, the menu and the page go into the document in one batch, with the
  // page's data drawn: no style and layout pass of an empty frame before the content (on a slowed
  // phone each cost 0.1-0.3 s of main thread; docs/console.md "phase 7, drawing").
  await t.test('a later page in a new tab: header, menu and page drawn in one batch, with the data', async () => {
    const tab = await context.newPage();
    tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await tab.addInitScript(() => {
      const batches = [];
      let frames = 0;
      const tick = () => { frames += 1; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
      Object.defineProperty(window, '__batches', { value: batches });
      new MutationObserver(() => {
        const main = document.getElementById('main');
        const nav = document.getElementById('nav');
        const who = document.getElementById('whoami');
        const summary = document.getElementById('task-summary');
        batches.push({
          frames, view: Boolean(main && main.querySelector(':scope > .view')),
          loading: Boolean(main && main.querySelector(':scope > p.loading')),
          nav: Boolean(nav && !nav.hidden), who: Boolean(who && who.childElementCount),
          current: Boolean(nav && nav.querySelector('a[aria-current="page"]')),
          summary: summary ? summary.textContent : null,
        });
      }).observe(document, { childList: true, subtree: true, attributes: true });
    });
    await tab.goto(`${base}/#/tasks`);
    await tab.locator('#task-summary', { hasText: '您目前没有待办事项' }).waitFor();
    const batches = await tab.evaluate(() => window.__batches);
    const first = batches.findIndex((b) => b.view);
    assert.ok(first >= 0, JSON.stringify(batches));
    const shown = batches[first];
    assert.deepEqual({ ...shown, frames: 0 }, { frames: 0, view: true, loading: false, nav: true, who: true,
      current: true, summary: '您目前没有待办事项。' }, 'the page went in whole, with its data');
    assert.equal(batches.findIndex((b) => b.nav || b.who), first, `the header with the page: ${JSON.stringify(batches)}`);
    assert.ok(batches.slice(0, first).every((b) => b.loading || !b.view), 'until then the page said 正在加载…');
    await tab.close();
  });

  await t.test('监测统计: the chart library asked for with the reports chunk, before the data', async () => {
    const tab = await context.newPage();
    tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await tab.goto(`${base}/#/tasks`);
    await tab.locator('main h1', { hasText: '我的待办' }).waitFor();
    await tab.evaluate(() => { location.hash = '#/stats'; });
    await tab.locator('main h1', { hasText: '监测统计' }).waitFor();
    await tab.waitForFunction(() => window.echarts);
    const at = await tab.evaluate(() => {
      const one = (re) => performance.getEntriesByType('resource').filter((r) => re.test(new URL(r.name).pathname));
      return {
        echarts: one(/\/echarts\.min\.js$/).map((r) => r.startTime),
        data: one(/\/api\/v1\/reports\/monitoring$/).map((r) => r.startTime),
      };
    });
    assert.equal(at.echarts.length, 1, 'ECharts asked for once');
    assert.equal(at.data.length, 1, 'the report asked for once');
    // Before: the page asked for ECharts after its chunk had run and its data had arrived.
    assert.ok(at.echarts[0] < at.data[0], `ECharts at ${at.echarts[0]} ms, the data at ${at.data[0]} ms`);
    await tab.close();
  });

  assert.deepEqual(problems, []);
});
