// Browser tests of the officials' console against the real server (see run.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { base, call, seed, people } from './seed.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { chromium } = createRequire(path.join(repo, 'web/package.json'))('playwright-core');
const artifacts = process.env.DIXIAN_ARTIFACTS || path.join(repo, 'tests/web/artifacts');
const tmpRoot = process.env.DIXIAN_WEB_TMP || os.tmpdir();
const kArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let world;          // {tokens, caseIds}
const contexts = [];

async function openBrowser(options) {
  const userDataDir = fs.mkdtempSync(path.join(tmpRoot, 'chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.DIXIAN_CHROMIUM || '/usr/bin/chromium',
    headless: true, args: kArgs, acceptDownloads: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai',
    ...options,
  });
  contexts.push(context);
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // HTTP errors the test provokes on purpose (409, 403) are logged by the browser too.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console: ${msg.text()}`);
  });
  page.problems = problems;
  return page;
}

async function shot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.evaluate(() => { document.getElementById('toast').hidden = true; });  // fixed overlay
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

async function signIn(page, token, roleWord) {
  await page.goto(`${base}/#/login`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('#nav').waitFor({ state: 'visible' });
  if (roleWord) await page.locator('#whoami').getByText(roleWord).waitFor();
}

function card(page, headName) {
  return page.locator('li.task-card', { hasText: headName });
}

async function readCsv(download) {
  const file = path.join(tmpRoot, `dl-${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return fs.readFileSync(file, 'utf8');
}

async function noHorizontalScroll(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `page is wider than the screen: ${scroll} > ${width}`);
}

before(async () => {
  world = await seed();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
});

test('desktop: sign in, inbox, approve, return, 409, household, overdue, stats', async (t) => {
  const page = await openBrowser({ viewport: { width: 1280, height: 900 } });
  const { tokens, caseIds } = world;

  await t.test('login page, then the inbox of a township reviewer', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: '登录工作台' }).waitFor();
    await shot(page, '01-login');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('请先粘贴用户令牌').waitFor();
    await signIn(page, tokens.reviewer, '乡镇审核员');
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'token must not go to localStorage');
    assert.ok(await page.evaluate(() => sessionStorage.getItem('dixian.token')));
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    await card(page, '张三').waitFor();
    await card(page, '李四').waitFor();
    await card(page, '赵六').waitFor();
    assert.equal(await card(page, '王五').count(), 0, 'another township\'s task must not show');
    const text = await card(page, '张三').innerText();
    assert.match(text, /2026-03-\d\d \d\d:\d\d/, 'due time shown');
    assert.match(text, /还剩\d+天|今天到期|已逾期/, 'days left shown');
    await shot(page, '02-inbox');
  });

  let stateBefore;
  await t.test('approve a task and see the state change', async () => {
    const c = card(page, '张三');
    await c.locator('button[data-action="approve"]').click();
    const panel = c.locator('form.action-panel');
    await panel.getByText('当前状态').waitFor();
    await panel.locator('strong').first().waitFor();
    stateBefore = await panel.locator('.state-line strong').innerText();
    await shot(page, '03-approve-panel');
    await panel.getByRole('button', { name: '确认通过' }).click();
    await page.locator('#toast').getByText('已通过').waitFor();
    await card(page, '张三').waitFor({ state: 'detached' });
    await page.goto(`${base}/#/cases/${encodeURIComponent(caseIds.H001)}`);
    const state = page.locator('#case-state strong');
    await state.waitFor();
    assert.notEqual(await state.innerText(), stateBefore, 'state changed after approval');
    await page.locator('#chain').getByText(people.reviewer.name).first().waitFor();
    await page.locator('#chain .badge.act-approve').first().waitFor();
    await shot(page, '04-case-approved');
  });

  await t.test('return needs a comment, then goes back to the village', async () => {
    await page.goto(`${base}/#/tasks`);
    const c = card(page, '李四');
    await c.locator('button[data-action="return"]').click();
    const panel = c.locator('form.action-panel');
    await panel.getByText('当前状态').waitFor();
    await panel.getByRole('button', { name: '确认退回' }).click();
    await panel.getByText('请填写退回理由（必填）', { exact: false }).first().waitFor();
    await panel.locator('textarea').fill('民主评议记录缺少签字，请补充后重新提交');
    await panel.getByRole('button', { name: '确认退回' }).click();
    await page.locator('#toast').getByText('已退回').waitFor();
    await card(page, '李四').waitFor({ state: 'detached' });
    const c2 = await call('GET', `/api/v1/cases/${caseIds.H002}`, undefined, tokens.clerkQs);
    assert.ok(c2.tasks.some((x) => x.role === 'village_clerk'), 'returned to the village');
    await page.goto(`${base}/#/cases/${encodeURIComponent(caseIds.H002)}`);
    await page.locator('#chain').getByText('民主评议记录缺少签字').waitFor();
    await shot(page, '05-case-returned');
  });

  await t.test('a stale version (409) is explained and refreshed', async () => {
    await page.goto(`${base}/#/tasks`);
    let tampered = false;
    await page.route('**/api/v1/cases/*/actions', async (route) => {
      const body = JSON.parse(route.request().postData());
      if (!tampered) { tampered = true; body.expected_version -= 1; }
      await route.continue({ postData: JSON.stringify(body) });
    });
    const c = card(page, '赵六');
    await c.locator('button[data-action="approve"]').click();
    const panel = c.locator('form.action-panel');
    await panel.getByText('当前状态').waitFor();
    await panel.getByRole('button', { name: '确认通过' }).click();
    await panel.getByText('该案件已被他人处理（版本已变化），已为您刷新，请确认后重试').waitFor();
    await shot(page, '06-conflict');
    await panel.getByRole('button', { name: '确认通过' }).click();
    await page.locator('#toast').getByText('已通过').waitFor();
    await page.unroute('**/api/v1/cases/*/actions');
  });

  await t.test('county decides; household page records a measure', async () => {
    await signIn(page, tokens.county, '县级审定');
    const c = card(page, '张三');
    await c.locator('button[data-action="approve"]').click();
    await c.locator('form.action-panel').getByText('当前状态').waitFor();
    await c.getByRole('button', { name: '确认通过' }).click();
    await page.locator('#toast').getByText('已通过').waitFor();
    await page.goto(`${base}/#/households/H001`);
    await page.getByRole('heading', { name: '张三 户' }).waitFor();
    await page.getByText('边缘易致贫户').first().waitFor();
    const form = page.locator('#measure-form');
    await form.getByRole('button', { name: '保存措施' }).click();
    await form.getByText('请填写“措施类别”').waitFor();
    await form.locator('select[name="kind"]').selectOption({ label: '医疗保障' });
    await form.locator('select[name="department"]').selectOption({ label: '医保' });
    await form.locator('textarea').fill('落实大病保险倾斜支付和医疗救助');
    await form.getByRole('button', { name: '保存措施' }).click();
    await page.locator('#toast').getByText('帮扶措施已保存').waitFor();
    await page.locator('#measures').getByText('落实大病保险倾斜支付').waitFor();
    await shot(page, '07-household');
  });

  await t.test('after the fake clock moves, the overdue dashboard shows late work', async () => {
    const moved = await call('POST', '/api/v1/admin/clock', { advance_seconds: 20 * 86400 });
    assert.match(moved.now, /^2026-03-2/);
    await signIn(page, tokens.supervisor, '督导');
    await page.goto(`${base}/#/overdue`);
    await page.getByRole('heading', { name: '逾期督办' }).waitFor();
    const byOrg = page.locator('#overdue-by-org');
    await byOrg.getByText('周党镇').waitFor();
    await byOrg.getByText('朱堂乡').waitFor();
    const lateRows = page.locator('#overdue-tasks tbody tr');
    await lateRows.first().waitFor();
    assert.ok(!(await lateRows.first().innerText()).includes('没有逾期事项'), 'late tasks listed');
    await page.locator('#overdue-tasks').getByText('王五').waitFor();
    await page.locator('#overdue-by-org th button[data-key="org_name"]').click();
    assert.equal(await page.locator('#overdue-by-org th[aria-sort="ascending"]').count(), 1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[data-export="overdue-tasks"]').click(),
    ]);
    const csv = await readCsv(download);
    assert.ok(csv.startsWith('\uFEFF'), 'CSV starts with a BOM');
    assert.match(csv, /户主,户号,办理环节/);
    assert.match(csv, /王五/);
    await shot(page, '08-overdue');
  });

  await t.test('monitoring statistics: tables, charts, CSV', async () => {
    await page.goto(`${base}/#/stats`);
    await page.getByRole('heading', { name: '监测统计' }).waitFor();
    await page.locator('#stats-by-type').getByText('边缘易致贫户').waitFor();
    await page.locator('#stats-by-cause').getByText('因病').waitFor();
    await page.locator('#stats-measures').getByText('医疗保障').waitFor();
    await page.locator('#chart-cause canvas').waitFor();
    await page.locator('#chart-type canvas').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[data-export="stats-by-cause"]').click(),
    ]);
    const csv = await readCsv(download);
    assert.ok(csv.startsWith('\uFEFF'));
    assert.match(csv, /主要风险,合计户数,合计人数/);
    await shot(page, '09-stats');
  });

  await t.test('without ECharts the statistics page still shows its tables', async () => {
    await page.route('**/vendor/echarts-*/**', (route) => route.fulfill({ status: 404, body: '' }));
    await page.goto(`${base}/#/stats`);
    await page.reload();
    await page.locator('#charts-missing').waitFor();
    await page.locator('#stats-by-type').getByText('边缘易致贫户').waitFor();
    assert.equal(await page.locator('#chart-cause').count(), 0);
    await page.unroute('**/vendor/echarts-*/**');
  });

  assert.deepEqual(page.problems, [], 'no script errors');
});

test('phone 390x844: inbox, household visit, reports fit the screen', async (t) => {
  const page = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const { tokens } = world;
  await call('PUT', '/api/v1/households/H001/contact', { user: people.contact.id });

  await t.test('login and inbox fit a phone', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: '登录工作台' }).waitFor();
    await shot(page, 'phone-01-login');
    await signIn(page, tokens.clerkQs, '村级填报员');
    await card(page, '李四').waitFor();
    const box = await card(page, '李四').locator('button[data-action="submit"]').boundingBox();
    assert.ok(box.height >= 44, `touch target is ${box.height}px high`);
    await noHorizontalScroll(page);
    await shot(page, 'phone-02-inbox');
  });

  await t.test('contact person records a visit', async () => {
    await signIn(page, tokens.contact, '帮扶联系人');
    await page.goto(`${base}/#/households/H001`);
    await page.getByRole('heading', { name: '张三 户' }).waitFor();
    const form = page.locator('#visit-form');
    await form.locator('select[name="mode"]').selectOption('phone');
    await form.locator('textarea').fill('电话了解病情，住院费用已报销，暂无新增困难');
    await form.getByRole('button', { name: '保存走访' }).click();
    await page.locator('#toast').getByText('走访记录已保存').waitFor();
    await page.locator('#visits').getByText('住院费用已报销').waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'phone-03-household');
  });

  await t.test('reports on a phone', async () => {
    await signIn(page, tokens.supervisor, '督导');
    await page.goto(`${base}/#/overdue`);
    await page.locator('#overdue-by-org').getByText('周党镇').waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'phone-04-overdue');
    await page.goto(`${base}/#/stats`);
    await page.locator('#chart-cause canvas').waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'phone-05-stats');
  });

  assert.deepEqual(page.problems, [], 'no script errors');
});
