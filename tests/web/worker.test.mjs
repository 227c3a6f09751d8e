// The service worker (web/sw.js; docs/console.md, "Later pages in a new tab"): once a page has
// loaded, a later tab takes the page and the app from this release's cache with nothing on the
// network but its API calls; the API is never stored; a new release's worker replaces the cache;
// a worker whose release is not the server's page's is not installed (no mix of releases).
// Its own server (a copy of the binary beside a copy of its web/, which the test swaps for a new
// release while it runs) on its own port, so no other test's pages have a worker.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(repo, 'web/package.json'))('playwright-core');
const tmp = fs.mkdtempSync(path.join(process.env.DIXIAN_WEB_TMP || os.tmpdir(), 'worker-'));
const kArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const adminToken = `worker-admin-${randomBytes(24).toString('hex')}`;

let server = null;
let context = null;
after(async () => {
  if (context) await context.close().catch(() => {});
  if (server) server.kill('SIGTERM');
});

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// The server's answers until it is up (a bounded wait for its start-up, as run.sh does).
async function startServer(dir, port) {
  const logFile = path.join(tmp, 'server.log');
  const log = fs.openSync(logFile, 'w');
  server = spawn(path.join(dir, 'dixian'), ['serve', '--db', path.join(tmp, 'w.db'), '--listen',
    `127.0.0.1:${port}`, '--fake-clock', '2026-03-02T09:00:00+08:00', '--config', path.join(repo, 'config')],
  { env: { ...process.env, DIXIAN_ADMIN_TOKEN: adminToken }, stdio: ['ignore', log, log] });
  let exited = false;
  server.on('exit', () => { exited = true; });
  for (let i = 0; i < 150 && !exited; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not start:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

// The console's web/ built as a new release (a changed stylesheet) into `out`.
function buildNewRelease(out) {
  const src = path.join(tmp, 'web-src');
  fs.mkdirSync(src);
  for (const f of ['index.html', 'sw.js', 'css', 'js']) fs.cpSync(path.join(repo, 'web', f), path.join(src, f), { recursive: true });
  fs.symlinkSync(path.join(repo, 'web/node_modules'), path.join(src, 'node_modules'));
  fs.appendFileSync(path.join(src, 'css/console.css'), '\n.worker-test-release { color: inherit; }\n');
  execFileSync('bash', [path.join(repo, 'scripts/build-web.sh'), src, out], { stdio: 'ignore' });
}

// Where each response of a tab came from, by CDP: the network, the browser's HTTP cache, or the
// service worker (its fetch handler or a static route to its cache).
async function watchTab(tab) {
  const cdp = await tab.context().newCDPSession(tab);
  await cdp.send('Network.enable');
  const all = [];
  const byId = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    const r = { path: new URL(e.request.url).pathname, type: e.type, from: 'network' };
    byId.set(e.requestId, r);
    all.push(r);
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    const res = e.response;
    if (res.fromServiceWorker || res.serviceWorkerRouterInfo?.actualSourceType === 'cache') r.from = 'worker';
    else if (res.fromDiskCache || res.fromPrefetchCache) r.from = 'http-cache';
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.from = 'http-cache';
  });
  return { all, network: () => all.filter((r) => r.from === 'network').map((r) => r.path) };
}

// Waits until this page's origin has an active worker and nothing installing or waiting.
async function workerSettled(page) {
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    const settling = reg.installing || reg.waiting;
    if (settling && settling.state !== 'activated' && settling.state !== 'redundant') {
      await new Promise((resolve) => settling.addEventListener('statechange', () => {
        if (settling.state === 'activated' || settling.state === 'redundant') resolve();
      }));
    }
    if (reg.active.state !== 'activated') {
      await new Promise((resolve) => reg.active.addEventListener('statechange', () => {
        if (reg.active.state === 'activated') resolve();
      }));
    }
  });
}

// Every cache of the origin and the paths it holds.
function cachesOf(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
    }
    return out;
  });
}

const releaseOf = (html) => html.match(/src="v\/([0-9a-f]{12})\/js\/boot\.js"/)[1];

test('a later tab from the service worker: the page and the app from its cache, only the API on the network', { timeout: 120000 }, async (t) => {
  const binary = process.env.DIXIAN_BINARY;
  assert.ok(binary, 'run by tests/web/run.sh, which names the server binary (DIXIAN_BINARY)');
  if (binary.endsWith('.mjs')) { t.skip('the mock server has no built console'); return; }
  const dir = path.join(tmp, 'srv');
  fs.mkdirSync(dir);
  fs.copyFileSync(binary, path.join(dir, 'dixian'));
  fs.chmodSync(path.join(dir, 'dixian'), 0o755);
  fs.cpSync(path.join(path.dirname(binary), 'web'), path.join(dir, 'web'), { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await startServer(dir, port);
  const call = async (method, p, body) => {
    const res = await fetch(base + p, { method, headers: { Authorization: `Bearer ${adminToken}`,
      'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.ok, `${method} ${p}: ${res.status}`);
    return res.json();
  };
  await call('POST', '/api/v1/orgs', { code: '5301', name: '滇中省', level: 'province', parent: null });
  await call('POST', '/api/v1/orgs', { code: '530121', name: '嵩明县', level: 'county', parent: '5301' });
  const { token } = await call('POST', '/api/v1/users',
    { id: 'worker-county', name: '李春华', role: 'county_officer', org: '530121', mobile: '13900003101' });

  const release1 = releaseOf(fs.readFileSync(path.join(dir, 'web/index.html'), 'utf8'));
  const worker = fs.readFileSync(path.join(dir, 'web/sw.js'), 'utf8');
  const files = JSON.parse(worker.match(/^const kFiles = (\[[^\]]*\]);/m)[1].replace(/'/g, '"'));
  assert.ok(worker.includes(`const kRelease = '${release1}';`), 'the worker names the page\'s release');
  const expected = files.map((f) => new URL(f, `${base}/`).pathname).sort();
  assert.ok(expected.includes(`/v/${release1}/js/boot.js`) && expected.includes('/'), expected.join(', '));
  const sw = await fetch(`${base}/sw.js`);
  assert.equal(sw.headers.get('cache-control'), 'no-cache', 'the worker script itself is revalidated');

  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'chromium-')), {
    executablePath: process.env.DIXIAN_CHROMIUM || '/usr/bin/chromium', headless: true, args: kArgs,
    locale: 'zh-CN', viewport: { width: 390, height: 844 }, serviceWorkers: 'allow',
  });
  const problems = [];
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));

  await t.test('the first visit installs the worker: one cache with the page and the release, no API answer', async () => {
    await page.goto(`${base}/#/login`);
    await page.locator('#token').fill(token);
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('main h1', { hasText: '我的待办' }).waitFor();
    await page.locator('#task-summary').waitFor();
    await workerSettled(page);
    assert.deepEqual(await cachesOf(page), { [`dixian-${release1}`]: expected });
  });

  const laterTab = async (release, whileOpen = async () => {}) => {
    const tab = await context.newPage();
    tab.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const seen = await watchTab(tab);
    await tab.goto(`${base}/#/tasks`);
    await tab.locator('#task-summary').waitFor();
    await tab.locator('#whoami').getByText('李春华').waitFor();
    const doc = seen.all.find((r) => r.type === 'Document');
    assert.equal(doc.from, 'worker', 'the page came from the worker');
    // Scripts: from the HTTP cache (Chromium's static route, which keeps their compiled code) or
    // the worker's cache (its fetch handler elsewhere); never the network.
    for (const r of seen.all.filter((x) => x.type === 'Script')) {
      assert.match(r.path, new RegExp(`^/v/${release}/js/`));
      assert.notEqual(r.from, 'network', `${r.path} came from a cache`);
    }
    assert.ok(seen.all.filter((x) => x.type === 'Script').length >= 2, 'early.js and the app');
    assert.deepEqual(seen.network(), ['/api/v1/tasks'], 'nothing but the API call on the network');
    const api = seen.all.find((r) => r.path === '/api/v1/tasks');
    assert.equal(api.from, 'network', 'the API answer is never the worker\'s');
    await whileOpen(tab);
    await tab.close();
  };

  await t.test('a later tab: the page and its scripts from the worker, only the API call on the network', async () => {
    await laterTab(release1);
    assert.deepEqual(await cachesOf(page), { [`dixian-${release1}`]: expected }, 'no API answer stored');
  });

  let release2;
  await t.test('a new release on the server: the next page finds its worker, which replaces the cache; the tab after is the new release', async () => {
    const out = path.join(tmp, 'web2');
    buildNewRelease(out);
    release2 = releaseOf(fs.readFileSync(path.join(out, 'index.html'), 'utf8'));
    assert.notEqual(release2, release1);
    fs.rmSync(path.join(dir, 'web'), { recursive: true });
    fs.renameSync(out, path.join(dir, 'web'));
    // The first tab after the upgrade is still the old release, whole, from its cache; once it
    // has loaded, the app asks for sw.js (worker.js) and the new release's worker takes over.
    await laterTab(release1, (tab) => tab.evaluate(async (name) => {
      for (const deadline = Date.now() + 20000; Date.now() < deadline;) {
        const names = await caches.keys();
        if (names.length === 1 && names[0] === name) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the page load did not bring the worker of ${name}: ${await caches.keys()}`);
    }, `dixian-${release2}`));
    await workerSettled(page);
    const caches = await cachesOf(page);
    assert.deepEqual(Object.keys(caches), [`dixian-${release2}`], 'the old release\'s cache is gone');
    assert.ok(caches[`dixian-${release2}`].includes(`/v/${release2}/js/boot.js`));
    assert.ok(caches[`dixian-${release2}`].includes('/'));
    await laterTab(release2);
  });

  await t.test('a worker whose release is not the server\'s page\'s is not installed', async () => {
    const file = path.join(dir, 'web/sw.js');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(`const kRelease = '${release2}';`,
      "const kRelease = '000000000000';"));
    fs.rmSync(`${file}.gz`);
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      await reg.update();
      const w = reg.installing || reg.waiting;
      if (!w) return 'nothing installing';
      if (w.state !== 'redundant') {
        await new Promise((resolve) => w.addEventListener('statechange', () => {
          if (w.state === 'redundant' || w.state === 'activated') resolve();
        }));
      }
      return w.state;
    });
    assert.equal(state, 'redundant', 'the mismatched worker failed to install');
    assert.deepEqual(Object.keys(await cachesOf(page)), [`dixian-${release2}`], 'the release\'s cache stays');
    await laterTab(release2);
  });

  assert.deepEqual(problems, []);
});
