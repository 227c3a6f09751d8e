// The console on a phone over a slow mobile network (docs/console.md, "Transfer cost"): Debian's
// chromium through playwright-core, network throttled through CDP to 150 ms latency and
// 1.6 Mbit/s down / 750 kbit/s up, CPU slowed down 4x. Started by bench/console_phone.sh, which
// runs a demo-county server; prints one JSON line per measurement and a table of medians.
//
//   first-login     empty cache: the login page is usable (token field shown)
//   first-inbox     empty cache, signed in (a chat link opened in a new tab): 我的待办 listed
//   later-case      warm cache, a new tab on a case link: the case and its actions shown
//   later-inbox     warm cache, a new tab on 我的待办
//   nav-household   in the page: from the case to its household
//   nav-stats-first in the page: 监测统计 the first time (loads the chart library)
//   nav-stats       in the page: 监测统计 again
//
// Each row has three times, all from the same start (just before the navigation or the click):
//   ms    when the awaited element first entered the page, as the page's own clock saw it (a
//         MutationObserver installed before any page script; Playwright's polling is not in it)
//   doc   for a new document: when its HTML had arrived (Navigation Timing's responseEnd), the
//         part no page can avoid: tab start, connection, one round trip, the HTML's bytes
//   early for a new document: when early.js started the page's API calls (its performance mark)
//   boot  for a new document: when the console's first line ran (boot.js's performance mark):
//         what the browser spent on the page and its scripts before the app's code
//   sw    for a new document served by a service worker's fetch handler: the worker's start-up
//         (Navigation Timing fetchStart - workerStart); empty when no worker ran for the page (none,
//         or a static route to its cache). Before later-case and later-inbox the bench stops every
//         worker (as after a pause on a phone); before first-inbox it removes it with the cache.
//   wall  when the bench saw the element (it asks the page every 250 ms: polling with Playwright's
//         waitFor, itself slowed down 4x, took 0.1-0.3 s of the page's main thread while it loaded;
//         runs before 2026-11-29 18:15 UTC used it, so their ms include that contention)
// and `req`: requests that went to the network (not answered from the browser's caches).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(repo, 'web/package.json'))('playwright-core');
const base = process.env.DIXIAN_URL;
const token = process.env.DIXIAN_TOKEN;
const runs = Number(process.env.RUNS || 5);
const kNetwork = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const kCpuSlowdown = 4;

// Installed before any page script: the first time each awaited element is in the page, by the
// page's clock (epoch ms; the same machine's clock as the bench's).
const kWatched = ['pre', '#token', '#task-list li', '#case-state', '#household-facts', '#chart-cause canvas'];
function watchElements(selectors) {
  const seen = {};
  Object.defineProperty(window, '__benchSeen', { value: seen });
  const check = () => {
    for (const sel of selectors) {
      if (!(sel in seen) && document.querySelector(sel)) seen[sel] = performance.timeOrigin + performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

async function throttle(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', kNetwork);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: kCpuSlowdown });
  let bytes = 0;
  let requests = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  cdp.on('Network.responseReceived', (e) => {
    if (!e.response.fromDiskCache && !e.response.fromPrefetchCache && !e.response.fromServiceWorker) requests += 1;
  });
  return { bytes: () => bytes, requests: () => requests, reset: () => { bytes = 0; requests = 0; } };
}

// Waits until the page's own watcher has seen `selector`, asking every 250 ms (a slowed-down
// page's main thread is not kept busy by the bench's polling).
function seen(page, selector) {
  return page.waitForFunction((sel) => window.__benchSeen && sel in window.__benchSeen, selector, { polling: 250 });
}

// `selector`: the element that means the page is usable; `newDocument`: fn loads a new page (not
// a route inside the page), so its HTML's arrival is measured too.
async function timed(name, page, meter, selector, newDocument, fn) {
  if (!newDocument) await page.evaluate((sel) => { delete window.__benchSeen[sel]; }, selector);
  meter.reset();
  const start = performance.timeOrigin + performance.now();
  await fn();
  const wall = performance.timeOrigin + performance.now() - start;
  await seen(page, selector);
  const at = await page.evaluate((sel) => {
    const nav = performance.getEntriesByType('navigation')[0];
    const boot = performance.getEntriesByName('dixian:boot')[0];
    const early = performance.getEntriesByName('dixian:early')[0];
    return {
      seen: window.__benchSeen[sel], docEnd: nav ? performance.timeOrigin + nav.responseEnd : null,
      boot: boot ? performance.timeOrigin + boot.startTime : null,
      early: early ? performance.timeOrigin + early.startTime : null,
      worker: nav && nav.workerStart > 0 ? nav.fetchStart - nav.workerStart : null,
    };
  }, selector);
  const row = {
    build: process.env.DIXIAN_BUILD || 'build', name, ms: Math.round(at.seen - start), doc: newDocument ? Math.round(at.docEnd - start) : null,
    early: newDocument && at.early ? Math.round(at.early - start) : null,
    boot: newDocument && at.boot ? Math.round(at.boot - start) : null,
    sw: newDocument && at.worker !== null ? Math.round(at.worker) : null,
    wall: Math.round(wall), req: meter.requests(), kb: Math.round(meter.bytes() / 102.4) / 10,
  };
  console.log(JSON.stringify(row));
  return row;
}

// A build with a service worker registers it once the page has loaded: the bench waits for it to
// be installed and active (a later page in real use comes minutes or days after the first).
async function workerInstalled(page) {
  await page.evaluate(async () => {
    if (!document.querySelector('meta[name="dixian-worker"][content]:not([content=""])')) return;
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      const reg = await navigator.serviceWorker.getRegistration();
      if (reg && reg.active && !reg.installing && !reg.waiting) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the service worker was not installed within 20 s');
  });
}

// Stops every service worker, so a later page pays the worker's start-up as after a pause on a
// phone (Chromium stops an idle worker after ~30 s).
async function stopWorkers(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await page.close();
}

async function newPhonePage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  await page.addInitScript(watchElements, kWatched);
  return { page, meter: await throttle(page) };
}

async function oneRun(browser) {
  const rows = [];
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
  });
  // A fresh profile: nothing cached, nobody signed in.
  let { page, meter } = await newPhonePage(context);
  // The same network and CPU for a page with no script (the server's 16-byte health answer): what
  // the machine and the throttling cost before the console does anything.
  rows.push(await timed('baseline-no-script', page, meter, 'pre', true, async () => {
    await page.goto(`${base}/healthz`);
    await seen(page, 'pre');
  }));
  rows.push(await timed('first-login', page, meter, '#token', true, async () => {
    await page.goto(`${base}/#/tasks`);
    await seen(page, '#token');
  }));
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('#task-list').waitFor();
  const caseHref = await page.locator('#task-list a[href^="#/cases/"]').first().getAttribute('href');
  // The session kept in localStorage signs in every new tab of this profile (issue 19 item 8).
  await page.close();

  // Signed in, cache emptied: the first page a chat link opens.
  ({ page, meter } = await newPhonePage(context));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  // The service worker and its cache too (the sign-in page registered it); the session stays.
  await cdp.send('Storage.clearDataForOrigin', { origin: new URL(base).origin, storageTypes: 'service_workers,cache_storage' });
  rows.push(await timed('first-inbox', page, meter, '#task-list li', true, async () => {
    await page.goto(`${base}/#/tasks`);
    await seen(page, '#task-list li');
  }));
  await workerInstalled(page);
  await page.close();

  await stopWorkers(context);
  ({ page, meter } = await newPhonePage(context));
  rows.push(await timed('later-case', page, meter, '#case-state', true, async () => {
    await page.goto(`${base}/${caseHref}`);
    await seen(page, '#case-state');
  }));
  rows.push(await timed('nav-household', page, meter, '#household-facts', false, async () => {
    await page.locator('a[href^="#/households/"]').first().click();
    await seen(page, '#household-facts');
  }));
  rows.push(await timed('nav-stats-first', page, meter, '#chart-cause canvas', false, async () => {
    await page.goto(`${base}/#/stats`);
    await seen(page, '#chart-cause canvas');
  }));
  await page.goto(`${base}/#/tasks`);
  await page.locator('#task-list li').first().waitFor();
  rows.push(await timed('nav-stats', page, meter, '#chart-cause canvas', false, async () => {
    await page.goto(`${base}/#/stats`);
    await seen(page, '#chart-cause canvas');
  }));
  await page.close();

  await stopWorkers(context);
  ({ page, meter } = await newPhonePage(context));
  rows.push(await timed('later-inbox', page, meter, '#task-list li', true, async () => {
    await page.goto(`${base}/#/tasks`);
    await seen(page, '#task-list li');
  }));
  await context.close();
  return rows;
}

// A table of medians per build and measurement from the JSON rows (one per line, with "build").
function table(all) {
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const cols = [['ms', 'median ms'], ['doc', 'doc ms'], ['early', 'early ms'], ['boot', 'boot ms'], ['sw', 'worker ms'], ['wall', 'wall ms'], ['req', 'requests'], ['kb', 'KB']];
  for (const build of [...new Set(all.map((r) => r.build))]) {
    const mine = all.filter((r) => r.build === build);
    const n = mine.filter((r) => r.name === 'baseline-no-script').length;
    console.log(`\n${build}: ${n} runs, medians`);
    console.log(`${'measurement'.padEnd(18)} ${cols.map(([, t]) => t.padStart(10)).join(' ')} ${'max ms'.padStart(8)}`);
    for (const name of [...new Set(mine.map((r) => r.name))]) {
      const rs = mine.filter((r) => r.name === name);
      const cell = (k) => {
        const vs = rs.map((r) => r[k]).filter((v) => v !== null && v !== undefined);
        return (vs.length ? String(median(vs)) : '—').padStart(10);
      };
      console.log(`${name.padEnd(18)} ${cols.map(([k]) => cell(k)).join(' ')} ${String(Math.max(...rs.map((r) => r.ms))).padStart(8)}`);
    }
  }
}

if (process.argv[2] === '--table') {
  // console_phone.sh: the rows of every build and round, collected in a file.
  const fs = await import('node:fs');
  table(fs.readFileSync(process.argv[3], 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)));
} else {
  const browser = await chromium.launch({
    executablePath: process.env.DIXIAN_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const all = [];
  for (let i = 0; i < runs; i++) all.push(...await oneRun(browser));
  await browser.close();
  table(all);
}
