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

async function throttle(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', kNetwork);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: kCpuSlowdown });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  return { bytes: () => bytes, reset: () => { bytes = 0; } };
}

async function timed(name, page, meter, fn) {
  meter.reset();
  const start = performance.now();
  await fn();
  const ms = performance.now() - start;
  const row = { name, ms: Math.round(ms), kb: Math.round(meter.bytes() / 102.4) / 10 };
  console.log(JSON.stringify(row));
  return row;
}

async function newPhonePage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
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
  rows.push(await timed('baseline-no-script', page, meter, async () => {
    await page.goto(`${base}/healthz`);
    await page.getByText('ok').waitFor();
  }));
  rows.push(await timed('first-login', page, meter, async () => {
    await page.goto(`${base}/#/tasks`);
    await page.locator('#token').waitFor();
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
  rows.push(await timed('first-inbox', page, meter, async () => {
    await page.goto(`${base}/#/tasks`);
    await page.locator('#task-list li').first().waitFor();
  }));
  await page.close();

  ({ page, meter } = await newPhonePage(context));
  rows.push(await timed('later-case', page, meter, async () => {
    await page.goto(`${base}/${caseHref}`);
    await page.locator('#case-state').waitFor();
  }));
  rows.push(await timed('nav-household', page, meter, async () => {
    await page.locator('a[href^="#/households/"]').first().click();
    await page.locator('#household-facts').waitFor();
  }));
  rows.push(await timed('nav-stats-first', page, meter, async () => {
    await page.goto(`${base}/#/stats`);
    await page.locator('#chart-cause canvas').waitFor();
  }));
  rows.push(await timed('nav-stats', page, meter, async () => {
    await page.goto(`${base}/#/tasks`);
    await page.locator('#task-list li').first().waitFor();
    await page.goto(`${base}/#/stats`);
    await page.locator('#chart-cause canvas').waitFor();
  }));
  await page.close();

  ({ page, meter } = await newPhonePage(context));
  rows.push(await timed('later-inbox', page, meter, async () => {
    await page.goto(`${base}/#/tasks`);
    await page.locator('#task-list li').first().waitFor();
  }));
  await context.close();
  return rows;
}

const browser = await chromium.launch({
  executablePath: process.env.DIXIAN_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const all = [];
for (let i = 0; i < runs; i++) all.push(...await oneRun(browser));
await browser.close();

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(`\n${'measurement'.padEnd(18)} ${'median ms'.padStart(10)} ${'max ms'.padStart(8)} ${'KB'.padStart(8)}  (${runs} runs)`);
for (const name of [...new Set(all.map((r) => r.name))]) {
  const rs = all.filter((r) => r.name === name);
  console.log(`${name.padEnd(18)} ${String(median(rs.map((r) => r.ms))).padStart(10)} ${String(Math.max(...rs.map((r) => r.ms))).padStart(8)} ${String(median(rs.map((r) => r.kb))).padStart(8)}`);
}
