// Browser tests of the officials' console against the real server (see run.sh).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { base, call, seed, people, kPhoto, kMinutes } from './seed.mjs';

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

// A reason with a long unbroken run (a pasted link or number string) must wrap, not widen pages.
const kLongReason = `评议记录缺签字，见 ${'https://example.invalid/' + 'x'.repeat(220)}`;

// Uploads a photo to a visit (raw body, as the case's attachments); returns the attachment.
async function visitPhoto(household, visit, token) {
  const res = await fetch(`${base}/api/v1/households/${household}/visits/${visit}/attachments?kind=visit_photo`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png', 'X-Filename': encodeURIComponent('走访.png') },
    body: kPhoto,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

async function toastSays(page, text) {
  await page.locator('#toast').getByText(text).waitFor();
}

// The open task of a kind for a household, as the API lists it.
async function openTask(household, step, token) {
  const tasks = await call('GET', `/api/v1/households/${household}/tasks`, undefined, token);
  return tasks.find((t) => t.step === step);
}

async function fillVillageRecords(page) {
  const v = page.locator('#verification-form');
  await v.locator('input[name="visitors"]').fill('村支书、网格员');
  await v.locator('textarea[name="findings"]').fill('家中两人患慢性病，医疗支出大；住房、饮水安全');
  const e = page.locator('#evaluation-form');
  if (await e.count()) {
    await e.locator('input[name="participants"]').fill('15');
    await e.locator('input[name="agreed"]').fill('14');
    await e.locator('select[name="result"]').selectOption('pass');
    await e.locator('textarea[name="minutes"]').fill('村民代表15人参加，14人同意纳入');
  }
}

// Takes `action` on the case as `token`'s holder through the case page's action bar.
async function actOnCase(page, token, roleWord, caseId, action, word, extra) {
  await signIn(page, token, roleWord);
  await page.goto(`${base}/#/cases/${encodeURIComponent(caseId)}`);
  await page.locator(`#action-bar button[data-action="${action}"]`).click();
  const panel = page.locator('#action-bar form.action-panel');
  await panel.locator('.state-line strong').waitFor();
  if (extra) await extra(panel);
  await panel.getByRole('button', { name: `确认${word}` }).click();
  await toastSays(page, `已${word}`);
}

// The village clerk starts `workflow` from the household page, fills the village records and
// submits (`submitWord`: the step's own label); returns the case id.
async function startAndSubmit(page, token, household, workflow, submitWord, fillData) {
  await signIn(page, token, '村级填报员');
  await page.goto(`${base}/#/households/${household}`);
  const form = page.locator('#start-case-form');
  await form.locator('select[name="workflow"]').selectOption(workflow);
  if (fillData) await fillData(form);
  await form.getByRole('button', { name: '发起' }).click();
  await page.locator('#village-step').waitFor();
  const caseId = decodeURIComponent(page.url().split('#/cases/')[1]);
  await fillVillageRecords(page);
  await page.locator('#action-bar button[data-action="submit"]').click();
  await page.locator('#action-bar').getByRole('button', { name: `确认${submitWord}` }).click();
  await toastSays(page, `已${submitWord}`);
  return caseId;
}

before(async () => {
  world = await seed();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
});

test('desktop 1366x768: every task kind to completion, by the role that holds it', async (t) => {
  const page = await openBrowser({ viewport: { width: 1366, height: 768 } });
  const { tokens, caseIds } = world;

  await t.test('login: a wrong token says so, not 登录已失效', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: '登录工作台' }).waitFor();
    await shot(page, '01-login');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('请先粘贴用户令牌').waitFor();
    await page.locator('#token').fill('dx_not_a_real_token');
    await page.getByRole('button', { name: '登录' }).click();
    await page.locator('#login-error').getByText('令牌无效').waitFor();
    assert.equal(await page.locator('#toast').isVisible(), false, 'no 登录已失效 toast for a wrong token');
  });

  await t.test('township inbox: filters, search, step labels', async () => {
    await signIn(page, tokens.reviewer, '乡镇审核员');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.ok(!stored.includes(tokens.reviewer), 'the user token is never stored');
    assert.match(stored, /dxs1_/, 'a session is kept for the working day');
    await card(page, '张三').waitFor();
    await card(page, '李四').waitFor();
    assert.equal(await card(page, '王五').count(), 0, 'another township\'s task must not show');
    const text = await card(page, '张三').innerText();
    assert.match(text, /2026-03-\d\d \d\d:\d\d/, 'due time shown');
    assert.match(text, /还剩\d+天|今天到期|已逾期/, 'days left shown');
    await page.locator('#filter-search').fill('张三');
    assert.equal(await page.locator('li.task-card').count(), 1, 'search narrows the list');
    await page.locator('#filter-search').fill('');
    await page.locator('#filter-overdue').check();
    assert.equal(await page.locator('li.task-card').count(), 0, 'nothing is late yet');
    await page.locator('#filter-overdue').uncheck();
    await shot(page, '02-inbox');
  });

  await t.test('township approves (通过) and the state changes', async () => {
    const c = card(page, '张三');
    await c.locator('button[data-action="approve"]').click();
    const panel = c.locator('form.action-panel');
    await panel.locator('.state-line strong').waitFor();
    await shot(page, '03-approve-panel');
    await panel.getByRole('button', { name: '确认通过' }).click();
    await toastSays(page, '已通过');
    await card(page, '张三').waitFor({ state: 'detached' });
    await page.goto(`${base}/#/cases/${encodeURIComponent(caseIds.H001)}`);
    await page.locator('#case-state strong').getByText('县级审定').waitFor();
    await page.locator('#chain .badge.act-approve').first().waitFor();
    await shot(page, '04-case-approved');
  });

  await t.test('退回 needs a reason; a long reason wraps', async () => {
    await page.goto(`${base}/#/tasks`);
    const c = card(page, '李四');
    await c.locator('button[data-action="return"]').click();
    const panel = c.locator('form.action-panel');
    await panel.locator('.state-line strong').waitFor();
    await panel.getByRole('button', { name: '确认退回' }).click();
    await panel.getByText('请填写退回理由（必填）').first().waitFor();
    await panel.locator('textarea').fill(kLongReason);
    await panel.getByText(`已输入 ${[...kLongReason].length}/500 字`).waitFor();
    await panel.getByRole('button', { name: '确认退回' }).click();
    await toastSays(page, '已退回');
    await card(page, '李四').waitFor({ state: 'detached' });
    await page.goto(`${base}/#/cases/${encodeURIComponent(caseIds.H002)}`);
    await page.locator('#returned').getByText('理由：评议记录缺签字').waitFor();
    await noHorizontalScroll(page);
    await shot(page, '05-case-returned');
  });

  await t.test('a 409 keeps its explanation; an English aside is never shown', async () => {
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
    await panel.locator('.state-line strong').waitFor();
    await panel.getByRole('button', { name: '确认通过' }).click();
    await panel.getByText('该案件已被他人处理（版本已变化），已为您刷新，请确认后重试').waitFor();
    await panel.getByText('已刷新为最新状态').waitFor();
    await shot(page, '06-conflict');
    await page.unroute('**/api/v1/cases/*/actions');
    await page.route('**/api/v1/cases/*/actions', (route) => route.fulfill({
      status: 403, contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'forbidden', message: '您的角色（村级填报员）无权进行此操作 (role village_clerk may not do this)' } }),
    }));
    await panel.getByRole('button', { name: '确认通过' }).click();
    await panel.locator('.form-error').getByText('您的角色（村级填报员）无权进行此操作').waitFor();
    assert.doesNotMatch(await panel.locator('.form-error').innerText(), /role|may not/);
    await page.unroute('**/api/v1/cases/*/actions');
    await panel.getByRole('button', { name: '确认通过' }).click();
    await toastSays(page, '已通过');
  });

  await t.test('county decides with its own label (审定纳入); follow-ups open', async () => {
    await signIn(page, tokens.county, '县级审定');
    const c = card(page, '张三');
    await c.locator('button[data-action="approve"]', { hasText: '审定纳入' }).click();
    await c.locator('form.action-panel .state-line strong').waitFor();
    await c.getByRole('button', { name: '确认审定纳入' }).click();
    await toastSays(page, '已审定纳入');
    const steps = (await call('GET', '/api/v1/households/H001/tasks', undefined, tokens.county)).map((x) => x.step).sort();
    assert.deepEqual(steps, ['assign_contact', 'handover', 'measures', 'national_entry', 'visit']);
  });

  await t.test('county: 移交乡镇和行业部门 confirmed, 催办 of the township', async () => {
    await page.goto(`${base}/#/tasks`);
    await page.locator('li.task-card', { hasText: '移交乡镇和行业部门' }).locator('a[data-go]').click();
    await page.getByRole('heading', { name: '张三 户' }).waitFor();
    assert.equal(await page.locator('#measures-task-form, #visit-form, #contact-form').count(), 0, 'no forms of other roles');
    await page.locator('#handover-form').getByRole('button', { name: '确认已移交' }).click();
    await toastSays(page, '已确认移交');
    await page.locator('#household-tasks li[data-step="handover"]').waitFor({ state: 'detached' });
    const row = page.locator('#household-tasks li[data-step="assign_contact"]');
    await row.locator('button[data-tool="urge"]').click();
    await row.locator('textarea').fill('请今天明确帮扶联系人');
    await row.getByRole('button', { name: '发送催办' }).click();
    await toastSays(page, '已催办');
    assert.equal(await openTask('H001', 'handover', tokens.county), undefined);
  });

  await t.test('township: 明确帮扶联系人 from the candidates; 转办 of 落实帮扶措施', async () => {
    await signIn(page, tokens.reviewer, '乡镇审核员');
    await page.locator('li.task-card', { hasText: '明确帮扶联系人' }).locator('a[data-go]').click();
    const form = page.locator('#contact-form');
    await form.locator('select option', { hasText: people.contact.name }).waitFor({ state: 'attached' });
    await form.locator('select').selectOption(people.contact.id);
    await shot(page, '07-household-contact');
    await form.getByRole('button', { name: '确定联系人' }).click();
    await toastSays(page, `已明确帮扶联系人：${people.contact.name}`);
    await page.locator('#household-tasks li[data-step="assign_contact"]').waitFor({ state: 'detached' });
    const row = page.locator('#household-tasks li[data-step="measures"]');
    await row.locator('#measures-task-form').waitFor();
    await row.locator('button[data-tool="transfer"]').click();
    await row.locator('select[name="user"] option', { hasText: people.reviewer2.name }).waitFor({ state: 'attached' });
    await row.locator('select[name="user"]').last().selectOption(people.reviewer2.id);
    await row.getByRole('button', { name: '确认转办' }).click();
    await toastSays(page, '已转办给');
    await page.locator('#measures-task-form').waitFor({ state: 'detached' });  // no longer this reviewer's
  });

  await t.test('the other reviewer: 落实帮扶措施 with a counter', async () => {
    await signIn(page, tokens.reviewer2, '乡镇审核员');
    await page.locator('li.task-card', { hasText: '落实帮扶措施' }).locator('a[data-go]').click();
    const form = page.locator('#measures-task-form');
    await form.getByRole('button', { name: '保存措施' }).click();
    await form.getByText('请填写“措施类别”').waitFor();
    await form.locator('select[name="kind"]').selectOption({ label: '医疗保障' });
    await form.locator('select[name="department"]').selectOption({ label: '医保' });
    await form.locator('textarea').fill('落实大病保险倾斜支付和医疗救助');
    await form.getByText('已输入 15/500 字').waitFor();
    await form.getByRole('button', { name: '保存措施' }).click();
    await toastSays(page, '帮扶措施已保存');
    await page.locator('#measures').getByText('落实大病保险倾斜支付').waitFor();
    assert.equal(await openTask('H001', 'measures', tokens.reviewer), undefined);
  });

  await t.test('clerk: a returned case is marked in the list; records filled and resubmitted', async () => {
    await signIn(page, tokens.clerkQs, '村级填报员');
    const c = card(page, '李四');
    await c.locator('.returned-badge').getByText('退回').waitFor();
    await c.getByText('评议记录缺签字').waitFor();
    await noHorizontalScroll(page);
    await c.locator('a[data-go]').click();
    await page.locator('#village-step').waitFor();
    await page.locator('#returned').waitFor();
    await fillVillageRecords(page);
    await shot(page, '08-village-records');
    await page.locator('#action-bar button[data-action="submit"]').click();
    await page.locator('#action-bar form.action-panel .state-line strong').waitFor();
    await page.locator('#action-bar').getByRole('button', { name: '确认提交乡镇审核' }).click();
    await toastSays(page, '已提交乡镇审核');
    const c2 = await call('GET', `/api/v1/cases/${caseIds.H002}`, undefined, tokens.reviewer);
    assert.equal(c2.state, 'township_review');
    assert.equal(c2.data.evaluation.agreed, 14);
    assert.equal(c2.data.verification.visitors, '村支书、网格员');
  });

  await t.test('clerk starts an identification case from the household page', async () => {
    await page.goto(`${base}/#/households/H005`);
    const form = page.locator('#start-case-form');
    await form.locator('select[name="workflow"]').selectOption('identification');
    const selects = form.locator('.data-fields select');
    await selects.nth(0).selectOption('marginal');
    await selects.nth(1).selectOption('illness');
    await form.getByRole('button', { name: '发起' }).click();
    await toastSays(page, '已发起识别纳入');
    await page.locator('#village-step').waitFor();
    await fillVillageRecords(page);
    // The submit needs the minutes: the page says so before the action, and the server refuses
    // without them (evidence_required, naming 民主评议会议记录).
    await page.locator('#evidence-needs li.missing').getByText('民主评议会议记录').waitFor();
    await page.locator('#action-bar button[data-action="submit"]').click();
    await page.locator('#action-bar').getByRole('button', { name: '确认提交乡镇审核' }).click();
    await page.locator('#action-bar').getByText('请先上传民主评议会议记录').waitFor();
    assert.equal(await page.locator('#evidence-kind').inputValue(), 'meeting_minutes');
    await page.locator('#evidence-file').setInputFiles({ name: '评议记录.pdf', mimeType: 'application/pdf', buffer: kMinutes });
    await toastSays(page, '已上传民主评议会议记录');
    await page.locator('#evidence-list li[data-kind="meeting_minutes"]').getByText('评议记录.pdf').waitFor();
    await page.locator('#evidence-needs li.held').waitFor();
    await fillVillageRecords(page);
    await page.locator('#action-bar button[data-action="submit"]').click();
    await page.locator('#action-bar').getByRole('button', { name: '确认提交乡镇审核' }).click();
    await toastSays(page, '已提交乡镇审核');
    await page.locator('#village-records').getByText('村民代表15人参加').waitFor();
  });

  await t.test('an alert through every step: dispatch names the department, the department remedies', async () => {
    const alert = await call('POST', '/api/v1/cases', { workflow: 'alert', household: 'H001', data: { item: 'medical' } }, tokens.clerkQs);
    await page.goto(`${base}/#/cases/${alert.id}`);
    await page.locator('#verification-form').waitFor();
    assert.equal(await page.locator('#evaluation-form').count(), 0, 'an alert has no evaluation meeting');
    await fillVillageRecords(page);
    await page.locator('#action-bar button[data-action="submit"]').click();
    await page.locator('#action-bar').getByRole('button', { name: '确认提交乡镇初审' }).click();
    await toastSays(page, '已提交乡镇初审');
    const act = async (token, roleWord, action, word, extra) => {
      await signIn(page, token, roleWord);
      await page.goto(`${base}/#/cases/${alert.id}`);
      await page.locator(`#action-bar button[data-action="${action}"]`).click();
      const panel = page.locator('#action-bar form.action-panel');
      await panel.locator('.state-line strong').waitFor();
      if (extra) await extra(panel);
      await panel.getByRole('button', { name: `确认${word}` }).click();
      await toastSays(page, `已${word}`);
    };
    await act(tokens.reviewer, '乡镇审核员', 'approve', '初审通过');
    await act(tokens.county, '县级审定', 'approve', '确认预警并派给行业部门', async (panel) => {
      await panel.locator('select[name="department"]').selectOption('medical');
      await shot(page, '09-dispatch');
    });
    await act(tokens.dept, '行业部门', 'submit', '补短完成，申请销号');
    await act(tokens.county, '县级审定', 'approve', '核验通过，销号');
    const done = await call('GET', `/api/v1/cases/${alert.id}`, undefined, tokens.county);
    assert.equal(done.state, 'closed');
    assert.equal(done.department, 'medical');
  });

  await t.test('contact person: 每月走访 finished from the household page', async () => {
    await signIn(page, tokens.contact, '帮扶联系人');
    await page.locator('li.task-card', { hasText: '走访' }).locator('a[data-go]').click();
    const form = page.locator('#visit-form');
    await form.locator('select[name="mode"]').selectOption('home');
    await form.locator('textarea').fill('入户了解病情和医疗费用报销情况');
    await form.getByRole('button', { name: '保存走访' }).click();
    await toastSays(page, '走访记录已保存');
    await page.locator('#visits').getByText('医疗费用报销').waitFor();
    const next = await openTask('H001', 'visit', tokens.county);
    assert.notEqual(next && next.period, '2026-03', 'the month\'s visit is closed (the next month\'s is open)');
    // A photo of the visit (through the API), shown on the household page as a thumbnail drawn
    // from the bytes the API gives the signed-in reader.
    const hh = await call('GET', '/api/v1/households/H001', undefined, tokens.contact);
    const visit = hh.monitoring.visits.find((v) => v.note.includes('医疗费用报销'));
    const photo = await visitPhoto('H001', visit.id, tokens.contact);
    await page.reload();  // the page is this household's already: draw it again
    const item = page.locator(`#visits li[data-visit="${visit.id}"] li[data-attachment="${photo.id}"]`);
    await item.waitFor({ state: 'attached' });
    await item.scrollIntoViewIfNeeded();
    const thumb = item.locator('img.evidence-thumb');
    await thumb.waitFor().catch(async (err) => {
      throw new Error(`${err.message}; the visit shows: ${await item.innerHTML()}`);
    });
    await page.waitForFunction((id) => {
      const img = document.querySelector(`li[data-attachment="${id}"] img.evidence-thumb`);
      return img && img.complete && img.naturalWidth === 8;
    }, photo.id);
    assert.ok((await thumb.getAttribute('src')).startsWith(`blob:${base}/`));
    assert.equal(await thumb.getAttribute('alt'), '入户照片：走访.png');
    await shot(page, '10b-visit-photo');
    // Another village's clerk reads neither the household nor the photo (404 as for the case).
    const elsewhere = await fetch(`${base}/api/v1/attachments/${photo.id}`, { headers: { Authorization: `Bearer ${tokens.clerkHy}` } });
    assert.equal(elsewhere.status, 404);
    await signIn(page, tokens.clerkHy, '村级填报员');
    await page.goto(`${base}/#/households/H001`);
    await page.locator('#main .error-panel').getByText('无法显示此页面').waitFor();
    assert.equal(await page.locator('img.evidence-thumb').count(), 0);
  });

  await t.test('risk elimination through province filing; the quarterly visit it opens', async () => {
    const id = await startAndSubmit(page, tokens.clerkQs, 'H001', 'risk_elimination', '提交乡镇审查');
    await actOnCase(page, tokens.reviewer, '乡镇审核员', id, 'approve', '通过');
    await actOnCase(page, tokens.county, '县级审定', id, 'approve', '通过');
    await actOnCase(page, tokens.province, '省级备案', id, 'approve', '备案');
    const c = await call('GET', `/api/v1/cases/${id}`, undefined, tokens.county);
    assert.equal(c.state, 'done');
    assert.equal((await call('GET', '/api/v1/households/H001')).monitoring.status, 'risk_eliminated');
    assert.ok(await openTask('H001', 'visit_quarterly', tokens.county), 'the quarterly visit is open');
    await signIn(page, tokens.contact, '帮扶联系人');
    await page.locator('li.task-card', { hasText: '每季度走访' }).locator('a[data-go]').click();
    const form = page.locator('#visit-form');
    await form.locator('select[name="mode"]').selectOption('home');
    await form.locator('textarea').fill('风险消除后回访，收入稳定');
    await form.getByRole('button', { name: '保存走访' }).click();
    await toastSays(page, '走访记录已保存');
    const open = await openTask('H001', 'visit_quarterly', tokens.county);
    assert.ok(!open || open.period !== '2026-Q1', 'the quarter\'s visit is closed');
  });

  await t.test('reflag and removal (清退 with its reason) through their chains', async () => {
    const reflag = await startAndSubmit(page, tokens.clerkQs, 'H001', 'reflag', '提交乡镇审查');
    await actOnCase(page, tokens.reviewer, '乡镇审核员', reflag, 'approve', '通过');
    await actOnCase(page, tokens.county, '县级审定', reflag, 'approve', '通过');
    assert.equal((await call('GET', '/api/v1/households/H001')).monitoring.status, 'risk_active');
    const removal = await startAndSubmit(page, tokens.clerkQs, 'H001', 'removal', '提交乡镇审查',
      (form) => form.locator('.data-fields select').first().selectOption('car'));
    await actOnCase(page, tokens.reviewer, '乡镇审核员', removal, 'approve', '通过');
    // 乡镇公示 (7 days in removal.json): the county decides once the notice has passed.
    assert.equal((await call('GET', `/api/v1/cases/${removal}`, undefined, tokens.county)).state, 'public_notice');
    await call('POST', '/api/v1/admin/clock', { advance_seconds: 8 * 86400 });
    assert.equal((await call('GET', `/api/v1/cases/${removal}`, undefined, tokens.county)).state, 'county_review');
    await actOnCase(page, tokens.county, '县级审定', removal, 'approve', '通过');
    const c = await call('GET', `/api/v1/cases/${removal}`, undefined, tokens.county);
    assert.equal(c.state, 'done');
    assert.equal(c.data.reason, 'car');
    assert.equal((await call('GET', '/api/v1/households/H001')).monitoring.status, 'removed');
  });

  await t.test('fast track (先行救助) by the county, and the paperwork after it', async () => {
    await signIn(page, tokens.clerkQs, '村级填报员');
    await page.goto(`${base}/#/households/H001`);  // removed: it may be identified again
    const form = page.locator('#start-case-form');
    await form.locator('select[name="workflow"]').selectOption('identification');
    const selects = form.locator('.data-fields select');
    await selects.nth(0).selectOption('marginal');  // the statistics below expect 边缘易致贫户
    await selects.nth(1).selectOption('illness');
    await form.getByRole('button', { name: '发起' }).click();
    await page.locator('#village-step').waitFor();
    const id = decodeURIComponent(page.url().split('#/cases/')[1]);
    await actOnCase(page, tokens.county, '县级审定', id, 'fast_track', '先行救助（县级直接纳入）');
    assert.equal((await call('GET', `/api/v1/cases/${id}`, undefined, tokens.county)).state, 'fast_tracked');
    await actOnCase(page, tokens.clerkQs, '村级填报员', id, 'submit', '补办材料提交乡镇', () => fillVillageRecords(page));
    await actOnCase(page, tokens.reviewer, '乡镇审核员', id, 'approve', '通过');
    await actOnCase(page, tokens.county, '县级审定', id, 'approve', '确认');
    assert.equal((await call('GET', `/api/v1/cases/${id}`, undefined, tokens.county)).state, 'admitted_after_relief');
  });

  await t.test('lists: 已办 and 我发起 match the API; search by name, ID numbers masked', async () => {
    await signIn(page, tokens.reviewer, '乡镇审核员');
    await page.locator('nav.tabs a[data-tab="done"]').click();
    await page.getByRole('heading', { name: '已办' }).waitFor();
    const done = await call('GET', '/api/v1/me/done', undefined, tokens.reviewer);
    assert.ok(done.length >= 3);
    await page.locator('#list li.task-card').nth(done.length - 1).waitFor();
    assert.equal(await page.locator('#list li.task-card').count(), done.length);
    assert.match(await page.locator('#list li.task-card').first().innerText(), new RegExp(done[0].action_label));
    await noHorizontalScroll(page);
    await shot(page, '12-done');
    await signIn(page, tokens.clerkQs, '村级填报员');
    await page.goto(`${base}/#/started`);
    const started = await call('GET', '/api/v1/me/started', undefined, tokens.clerkQs);
    await page.locator('#list li.task-card').nth(started.length - 1).waitFor();
    assert.equal(await page.locator('#list li.task-card').count(), started.length);
    await page.locator('#list li.task-card', { hasText: '清退' }).getByText('已办结').waitFor();
    await shot(page, '13-started');
    await page.goto(`${base}/#/households`);
    await page.locator('#household-q').fill('李');
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('#search-hits a[data-household="H002"]').waitFor();
    const asked = [];
    page.on('request', (r) => asked.push(r.url()));
    // A valid number (its GB 11643 check character): a wrong one is refused by name (422).
    await page.locator('#household-q').fill('411521198001011231');
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('#search-summary').getByText('411521********1231').waitFor();
    assert.equal(await page.locator('#household-q').inputValue(), '411521********1231');
    assert.ok(!(await page.content()).includes('411521198001011231'), 'the whole ID number is not on the page');
    assert.ok(asked.every((u) => !u.includes('19800101')), 'the ID number is not in any URL');
    await shot(page, '14-search');
  });

  await t.test('sessions: a new tab is signed in; signing out signs out every tab; 免登 through a channel that is not an app is refused by name', async () => {
    await signIn(page, tokens.county, '县级审定');
    const tab = await page.context().newPage();
    await tab.goto(`${base}/#/tasks`);
    await tab.locator('#whoami').getByText('县级审定').waitFor();
    await tab.getByRole('heading', { name: '我的待办' }).waitFor();
    await tab.locator('#whoami button').click();
    await page.getByRole('heading', { name: '登录工作台' }).waitFor();  // the first tab follows
    await tab.goto(`${base}/?channel=ch-wecom&code=CODE123&next=/tasks`);
    await tab.locator('#login-error').getByText('免登失败').waitFor();
    assert.ok(!tab.url().includes('CODE123'), 'the sign-in code leaves the address bar');
    await tab.close();
  });

  await t.test('overdue: the headline is the API\'s total', async () => {
    // 12 days: the removal's notice above already moved the clock 8 (the same date as before it).
    const moved = await call('POST', '/api/v1/admin/clock', { advance_seconds: 12 * 86400 });
    assert.match(moved.now, /^2026-03-2/);
    await signIn(page, tokens.county, '县级审定');
    await page.goto(`${base}/#/overdue`);
    const api = await call('GET', '/api/v1/reports/overdue?org=411521', undefined, tokens.county);
    assert.ok(api.overdue > 0);
    await page.locator('.card.late .card-value').getByText(String(api.overdue), { exact: true }).waitFor();
    await page.locator('#overdue-by-org').getByText('周党镇').waitFor();
    await page.locator('#overdue-by-org th button[data-key="org_name"]').click();
    assert.equal(await page.locator('#overdue-by-org th[aria-sort="ascending"]').count(), 1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[data-export="overdue-tasks"]').click(),
    ]);
    const csv = await readCsv(download);
    assert.ok(csv.startsWith('\uFEFF'), 'CSV starts with a BOM');
    assert.match(csv, /户主,户号,办理环节/);
    await shot(page, '10-overdue');
  });

  await t.test('抄送我: tasks escalated to the county, as the API lists them', async () => {
    await page.goto(`${base}/#/copied`);
    await page.getByRole('heading', { name: '抄送我' }).waitFor();
    const copied = await call('GET', '/api/v1/me/copied', undefined, tokens.county);
    assert.ok(copied.length > 0, 'twenty days on, township steps have reached the county');
    await page.locator('#list li.task-card').nth(copied.length - 1).waitFor();
    assert.equal(await page.locator('#list li.task-card').count(), copied.length);
    const first = await page.locator('#list li.task-card').first().innerText();
    assert.match(first, /逾期督办/);
    assert.ok(first.includes(copied[0].org_name), 'the holder\'s org by name');
    assert.ok(!/\b411521\d+\b/.test(first), 'no raw org codes');
    await noHorizontalScroll(page);
    await shot(page, '15-copied');
  });

  await t.test('history: what the system did (逾期, 逾期督办) reads in Chinese like the rest', async () => {
    const copied = await call('GET', '/api/v1/me/copied', undefined, tokens.county);
    const late = copied.find((x) => x.case);
    assert.ok(late, 'an escalated chain step');
    const history = await call('GET', `/api/v1/cases/${encodeURIComponent(late.case)}/history`, undefined, tokens.county);
    const system = history.filter((ev) => ev.actor === 'system').map((ev) => ev.action);
    assert.ok(system.includes('overdue') && system.includes('escalate'), `system events: ${system}`);
    await page.goto(`${base}/#/cases/${encodeURIComponent(late.case)}`);
    await page.locator('#chain .badge.act-escalate').first().waitFor();
    assert.equal(await page.locator('#chain .badge.act-overdue').first().innerText(), '逾期');
    assert.equal(await page.locator('#chain .badge.act-escalate').first().innerText(), '逾期督办');
    const badges = await page.locator('#chain .badge').allInnerTexts();
    assert.equal(badges.length, history.length);
    assert.deepEqual(badges.filter((b) => !/^[\u3400-\u9fff（）·、]+$/.test(b)), [], 'every action in Chinese');
  });

  await t.test('statistics: charts from the build, nothing fetched elsewhere', async () => {
    const outside = [];
    page.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()); });
    await page.goto(`${base}/#/stats`);
    await page.locator('#stats-by-type').getByText('边缘易致贫户').waitFor();
    await page.locator('#chart-cause canvas').waitFor();
    await page.locator('#chart-type canvas').waitFor();
    assert.deepEqual(outside, [], 'every request goes to our own server');
    const src = await page.evaluate(() => document.querySelector('meta[name="dixian-echarts"]').content);
    assert.match(src, /^vendor\/echarts-\d+\.\d+\.\d+\/echarts\.min\.js$/);
    const lib = await fetch(`${base}/${src}`, { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get('cache-control'), /immutable/);
    assert.ok(lib.headers.get('etag'));
    assert.equal((await fetch(`${base}/node_modules/echarts/package.json`)).status, 404, 'node_modules is not served');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('button[data-export="stats-by-cause"]').click(),
    ]);
    assert.match(await readCsv(download), /主要风险,合计户数,合计人数/);
    await shot(page, '11-stats');
  });

  await t.test('without ECharts the statistics page still shows its tables', async () => {
    await page.route('**/vendor/echarts-*/**', (route) => route.fulfill({ status: 404, body: '' }));
    await page.reload();
    await page.locator('#charts-missing').waitFor();
    await page.locator('#stats-by-type').getByText('边缘易致贫户').waitFor();
    await page.unroute('**/vendor/echarts-*/**');
  });

  assert.deepEqual(page.problems, [], 'no script errors');
});

test('phone 390x844: inbox, bottom action bar, cards, long text, charts', async (t) => {
  const page = await openBrowser({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const { tokens, caseIds } = world;

  await t.test('login and inbox fit a phone', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: '登录工作台' }).waitFor();
    await shot(page, 'phone-01-login');
    await signIn(page, tokens.reviewerZt, '乡镇审核员');
    await card(page, '王五').waitFor();
    await noHorizontalScroll(page);
    // A card below the first screenful is laid out when scrolled to, not with the page's first draw.
    assert.equal(await page.locator('li.task-card').first().evaluate((el) => getComputedStyle(el).contentVisibility), 'auto');
    await shot(page, 'phone-02-inbox');
  });

  await t.test('a case: actions in a bar fixed at the bottom, 44px targets; return with a long reason', async () => {
    await card(page, '王五').locator('a[data-go]').click();
    const bar = page.locator('#action-bar');
    await bar.waitFor();
    const box = await bar.boundingBox();
    assert.ok(Math.abs(box.y + box.height - 844) <= 1, `the bar sits on the bottom edge (${box.y}+${box.height})`);
    for (const b of await bar.locator('button').all()) {
      const bb = await b.boundingBox();
      assert.ok(bb.height >= 44, `touch target is ${bb.height}px high`);
    }
    await noHorizontalScroll(page);
    await shot(page, 'phone-03-case');
    await bar.locator('button[data-action="return"]').click();
    await bar.locator('textarea').fill(kLongReason);
    await bar.getByRole('button', { name: '确认退回' }).click();
    await page.locator('#toast').getByText('已退回').waitFor();
    await page.locator('#returned').waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'phone-04-returned');
  });

  await t.test('clerk: returned mark and village records on a phone', async () => {
    await signIn(page, tokens.clerkHy, '村级填报员');
    await card(page, '王五').locator('.returned-badge').waitFor();
    await noHorizontalScroll(page);
    await card(page, '王五').locator('a[data-go]').click();
    await fillVillageRecords(page);
    await noHorizontalScroll(page);
    await shot(page, 'phone-05-village-records');
    await page.locator('#action-bar button[data-action="submit"]').click();
    await page.locator('#action-bar').getByRole('button', { name: '确认提交乡镇审核' }).click();
    await page.locator('#toast').getByText('已提交乡镇审核').waitFor();
  });

  await t.test('佐证材料 on a phone: a photo from the camera input, its thumbnail through the API', async () => {
    await call('POST', '/api/v1/households', { id: 'H006', village: people.clerkHy.org, head_name: '孙八', members: 2, income_per_capita: 4300 });
    const c = await call('POST', '/api/v1/cases', { workflow: 'identification', household: 'H006', data: { type: 'marginal', primary_cause: 'illness' } }, tokens.clerkHy);
    await page.goto(`${base}/#/cases/${encodeURIComponent(c.id)}`);
    const camera = page.locator('#evidence-camera');
    assert.equal(await camera.getAttribute('accept'), 'image/*');
    assert.equal(await camera.getAttribute('capture'), 'environment');
    assert.equal(await page.locator('#evidence-file').getAttribute('accept'), 'application/pdf,image/jpeg,image/png,image/webp,image/heic');
    const pick = await page.locator('label.evidence-pick').first().boundingBox();
    assert.ok(pick.height >= 44, 'the camera button is a 44px target');
    await page.locator('#evidence-kind').selectOption('visit_photo');
    await camera.setInputFiles({ name: 'IMG_0001.png', mimeType: 'image/png', buffer: kPhoto });
    await page.locator('#toast').getByText('已上传入户照片').waitFor();
    const thumb = page.locator('#evidence-list li[data-kind="visit_photo"] img.evidence-thumb');
    await thumb.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector('#evidence-list img.evidence-thumb');
      return img && img.complete && img.naturalWidth === 8;
    });
    const src = await thumb.getAttribute('src');
    assert.ok(src.startsWith(`blob:${base}/`), `thumbnail from this origin's blob: ${src}`);
    await noHorizontalScroll(page);
    await shot(page, 'phone-11-evidence');
    const api = await call('GET', `/api/v1/cases/${c.id}`, undefined, tokens.clerkHy);
    assert.deepEqual(api.attachments.map((a) => [a.kind, a.filename, a.content_type]), [['visit_photo', 'IMG_0001.png', 'image/png']]);
  });

  await t.test('household page with long text fits', async () => {
    await signIn(page, tokens.county, '县级审定');
    await page.goto(`${base}/#/households/H001`);
    await page.locator('#measures').waitFor();
    // The visit's photo (desktop test above) as a thumbnail on the phone too, a 44px target.
    const thumb = page.locator('#visits .visit-photos img.evidence-thumb').first();
    await thumb.waitFor({ state: 'attached' });
    await thumb.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const img = document.querySelector('#visits .visit-photos img.evidence-thumb');
      return img && img.complete && img.naturalWidth === 8;
    });
    assert.ok((await page.locator('#visits .visit-photo').first().boundingBox()).height >= 44);
    await noHorizontalScroll(page);
    await shot(page, 'phone-06-household');
    await page.goto(`${base}/#/cases/${encodeURIComponent(caseIds.H002)}`);
    await page.locator('#chain').waitFor();
    await noHorizontalScroll(page);
  });

  await t.test('reports: tables become cards, charts keep their labels', async () => {
    await page.goto(`${base}/#/overdue`);
    await page.locator('#overdue-by-org').getByText('周党镇').waitFor();
    await noHorizontalScroll(page);
    const row = page.locator('#overdue-tasks tbody tr').first();
    const rb = await row.boundingBox();
    assert.ok(rb.x >= 0 && rb.x + rb.width <= 390, 'a late task is a card inside the screen');
    await row.locator('td[data-label="逾期天数"]').waitFor();
    assert.ok(await row.locator('td[data-label="逾期天数"]').isVisible(), '逾期天数 visible');
    await shot(page, 'phone-07-overdue');
    await page.goto(`${base}/#/stats`);
    await page.locator('#chart-cause canvas').waitFor();
    await noHorizontalScroll(page);
    await shot(page, 'phone-08-stats');
  });

  await t.test('lists and search on a phone: tabs of 44px, cards, no sideways scroll', async () => {
    for (const [route, heading] of [['#/copied', '抄送我'], ['#/done', '已办'], ['#/started', '我发起']]) {
      await page.goto(`${base}/${route}`);
      await page.getByRole('heading', { name: heading }).waitFor();
      for (const tab of await page.locator('nav.tabs a').all()) {
        const bb = await tab.boundingBox();
        assert.ok(bb.height >= 44 && bb.x >= 0 && bb.x + bb.width <= 390, `tab ${bb.width}x${bb.height} at ${bb.x}`);
      }
      await noHorizontalScroll(page);
    }
    await page.goto(`${base}/#/copied`);
    await page.locator('#list li.task-card').first().waitFor();
    await shot(page, 'phone-09-copied');
    await page.goto(`${base}/#/households`);
    await page.locator('#household-q').fill('张');
    await page.getByRole('button', { name: '查询' }).click();
    await page.locator('#search-hits a[data-household="H001"]').waitFor();
    const hit = await page.locator('#search-hits a').first().boundingBox();
    assert.ok(hit.height >= 44, 'a search hit is a 44px target');
    await noHorizontalScroll(page);
    await shot(page, 'phone-10-search');
  });

  assert.deepEqual(page.problems, [], 'no script errors');
});
