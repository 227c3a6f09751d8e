// A small in-memory stand-in for `dixian serve`, for working on the console without the C++
// server: `node tests/web/mock-server.mjs serve --listen 127.0.0.1:8099 --fake-clock T`.
// It follows docs/API.md loosely (identification chain only); the real tests use the binary.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const [host, port] = opt('--listen', '127.0.0.1:8099').split(':');
let now = Date.parse(opt('--fake-clock', new Date().toISOString()));
const adminToken = process.env.DIXIAN_ADMIN_TOKEN || 'admin';

const orgs = new Map(); const users = new Map(); const households = new Map();
const cases = new Map(); const tasks = []; const history = [];
let seq = 0; let taskSeq = 0; let caseSeq = 0;
const day = 86400000;
const iso = (t) => new Date(t + 8 * 3600000).toISOString().replace(/\.\d+Z$/, '+08:00');
const chain = {
  village_fill: { role: 'village_clerk', level: 'village', label: '村级填报', days: 3, submit: 'township_review' },
  township_review: { role: 'township_reviewer', level: 'township', label: '乡镇审核', days: 5, approve: 'county_review', back: 'village_fill' },
  county_review: { role: 'county_officer', level: 'county', label: '县级审定', days: 5, approve: 'admitted', back: 'township_review' },
};
const stateLabels = { admitted: '已纳入监测', rejected: '不予纳入', ...Object.fromEntries(Object.entries(chain).map(([k, v]) => [k, v.label])) };

const ancestors = (code) => { const out = []; for (let o = orgs.get(code); o; o = orgs.get(o.parent)) out.push(o.code); return out; };
const within = (code, root) => ancestors(code).includes(root);
const orgAt = (village, level) => ancestors(village).find((c) => orgs.get(c).level === level);
const fail = (status, code, message) => ({ status, body: { error: { code, message } } });

function openTask(c, state) {
  const s = chain[state]; const hh = households.get(c.household);
  tasks.push({ id: String(++taskSeq), case: c.id, household: c.household, step: state, step_label: s.label,
    org: orgAt(hh.village, s.level), role: s.role, due: now + s.days * day, open: true });
}
function taskView(t) {
  const hh = households.get(t.household);
  const daysLeft = Math.floor((t.due - now) / day);
  return { id: t.id, case: t.case, household: t.household, step: t.step, step_label: t.step_label, org: t.org, role: t.role,
    due_at: iso(t.due), overdue: now > t.due, head_name: hh.head_name, village: orgs.get(hh.village)?.name, days_left: daysLeft };
}
function caseView(c, user) {
  const open = tasks.filter((t) => t.open && t.case === c.id);
  const allowed = open.some((t) => user && (user.role === t.role && within(t.org, user.org)))
    ? (chain[c.state].submit ? ['submit'] : ['approve', 'return', 'reject']) : [];
  const words = { submit: '提交', approve: '通过', return: '退回', reject: '不予通过' };
  return { ...c, state_label: stateLabels[c.state], tasks: open.map(taskView),
    allowed_actions: allowed.map((a) => ({ action: a, label: words[a], requires: ['return', 'reject'].includes(a) ? ['comment'] : [] })) };
}

function handle(method, url, user, body) {
  const p = url.pathname; let m;
  if (method === 'GET' && p === '/api/v1/me') return { body: { ...user, org_name: orgs.get(user.org)?.name } };
  if (method === 'POST' && p === '/api/v1/orgs') { orgs.set(body.code, body); return { status: 201, body }; }
  if (method === 'POST' && p === '/api/v1/users') {
    const u = { ...body, token: `tok-${body.id}` }; users.set(u.token, u); return { status: 201, body: { id: u.id, token: u.token } };
  }
  if (method === 'POST' && p === '/api/v1/households') { households.set(body.id, { ...body, measures: [], visits: [] }); return { status: 201, body }; }
  if (method === 'POST' && p === '/api/v1/admin/clock') {
    if (user.role !== 'admin') return fail(403, 'forbidden', '需要管理员令牌');
    now += body.advance_seconds * 1000; return { body: { now: iso(now) } };
  }
  if (method === 'POST' && p === '/api/v1/cases') {
    const c = { id: `C${++caseSeq}`, workflow: body.workflow, state: 'village_fill', version: 1, household: body.household, data: body.data || {} };
    cases.set(c.id, c); openTask(c, 'village_fill');
    history.push({ seq: ++seq, case: c.id, at: iso(now), actor: user.id, actor_name: user.name, action: 'create', from: null, to: c.state, comment: '' });
    return { status: 201, body: caseView(c, user) };
  }
  if (method === 'GET' && (m = p.match(/^\/api\/v1\/cases\/([^/]+)$/))) {
    const c = cases.get(m[1]); return c ? { body: caseView(c, user) } : fail(404, 'not_found', '没有这个案件');
  }
  if (method === 'GET' && (m = p.match(/^\/api\/v1\/cases\/([^/]+)\/history$/))) return { body: history.filter((e) => e.case === m[1]) };
  if (method === 'POST' && (m = p.match(/^\/api\/v1\/cases\/([^/]+)\/actions$/))) {
    const c = cases.get(m[1]); if (!c) return fail(404, 'not_found', '没有这个案件');
    if (body.expected_version !== c.version) return fail(409, 'version_conflict', '版本已变化');
    const view = caseView(c, user);
    if (!view.allowed_actions.some((a) => a.action === body.action)) return fail(403, 'forbidden', '您的角色或单位不能办理此环节');
    if (['return', 'reject'].includes(body.action) && !body.comment) return fail(422, 'missing_field', '退回或不予通过须填写意见（comment）');
    const s = chain[c.state]; const from = c.state;
    const to = body.action === 'submit' ? s.submit : body.action === 'approve' ? s.approve : body.action === 'return' ? s.back : 'rejected';
    tasks.filter((t) => t.open && t.case === c.id).forEach((t) => { t.open = false; });
    c.state = to; c.version += 1;
    if (chain[to]) openTask(c, to);
    if (to === 'admitted') households.get(c.household).monitoring = { type: c.data.type, status: 'risk_active', primary_cause: c.data.primary_cause, causes: c.data.causes || [], admitted_at: iso(now), contact: null, measures: [] };
    history.push({ seq: ++seq, case: c.id, at: iso(now), actor: user.id, actor_name: user.name, action: body.action, from, to, comment: body.comment || '' });
    return { body: caseView(c, user) };
  }
  if (method === 'GET' && p === '/api/v1/tasks') {
    return { body: tasks.filter((t) => t.open && t.role === user.role && within(t.org, user.org)).map(taskView) };
  }
  if ((m = p.match(/^\/api\/v1\/households\/([^/]+)(\/\w+)?$/))) {
    const hh = households.get(m[1]); if (!hh) return fail(404, 'not_found', '没有这一户');
    if (method === 'GET' && !m[2]) return { body: { ...hh, village_name: orgs.get(hh.village)?.name, monitoring: hh.monitoring && { ...hh.monitoring, measures: hh.measures, visits: hh.visits } } };
    if (method === 'GET' && m[2] === '/tasks') return { body: tasks.filter((t) => t.open && t.household === hh.id).map(taskView) };
    if (method === 'PUT' && m[2] === '/contact') { if (hh.monitoring) hh.monitoring.contact = body.user; return { body: { ok: true } }; }
    if (method === 'POST' && m[2] === '/measures') { hh.measures.push({ ...body, created_at: iso(now) }); return { status: 201, body }; }
    if (method === 'POST' && m[2] === '/visits') { hh.visits.push({ ...body, at: iso(now), user: user.id, user_name: user.name }); return { status: 201, body }; }
  }
  if (method === 'GET' && p === '/api/v1/reports/overdue') return { body: overdueReport(url.searchParams.get('org')) };
  if (method === 'GET' && p === '/api/v1/reports/monitoring') return { body: monitoringReport(url.searchParams.get('org')) };
  return fail(404, 'not_found', `未知接口 ${method} ${p}`);
}

function overdueReport(org) {
  const open = tasks.filter((t) => t.open && within(t.org, org));
  const late = (t) => Math.max(0, Math.floor((now - t.due) / day));
  const group = (keyOf, extra) => {
    const out = new Map();
    for (const t of open) {
      const k = keyOf(t); if (!k) continue;
      const r = out.get(k) || { ...extra(k), open: 0, overdue: 0, max_days_late: 0 };
      r.open += 1; if (now > t.due) { r.overdue += 1; r.max_days_late = Math.max(r.max_days_late, late(t)); }
      out.set(k, r);
    }
    return [...out.values()];
  };
  const child = (t) => ancestors(t.org).find((c) => orgs.get(c).parent === org) || t.org;
  const byRole = [...users.values()];
  return {
    org, generated_at: iso(now),
    by_org: group(child, (k) => ({ org: k, org_name: orgs.get(k)?.name })),
    by_assignee: group((t) => byRole.find((u) => u.role === t.role && within(t.org, u.org))?.id, (k) => {
      const u = byRole.find((x) => x.id === k); return { user: k, name: u.name, org: u.org };
    }),
    tasks: open.filter((t) => now > t.due).map((t) => ({ ...taskView(t), days_late: late(t) })),
  };
}

function monitoringReport(org) {
  const list = [...households.values()].filter((hh) => hh.monitoring && within(hh.village, org));
  const count = (keyOf, labelOf, name) => {
    const out = new Map();
    for (const hh of list) {
      const k = keyOf(hh); const r = out.get(k) || { [name]: k, label: labelOf(k), households: 0, persons: 0 };
      r.households += 1; r.persons += hh.members; out.set(k, r);
    }
    return [...out.values()];
  };
  const typeLabels = { unstable_former_poor: '脱贫不稳定户', marginal: '边缘易致贫户', sudden_hardship: '突发严重困难户' };
  const causeLabels = { illness: '因病', disability: '因残', disaster: '因灾', schooling: '因学', other: '其他' };
  const byTypeCause = new Map();
  for (const hh of list) {
    const k = `${hh.monitoring.type}/${hh.monitoring.primary_cause}`;
    const r = byTypeCause.get(k) || { type: hh.monitoring.type, cause: hh.monitoring.primary_cause, cause_label: causeLabels[hh.monitoring.primary_cause], households: 0, persons: 0 };
    r.households += 1; r.persons += hh.members; byTypeCause.set(k, r);
  }
  const measures = new Map();
  for (const hh of list) for (const ms of hh.measures) {
    const r = measures.get(ms.kind) || { kind: ms.kind, label: ({ medical: '医疗保障', subsistence_allowance: '低保' })[ms.kind] || ms.kind, households: 0, by_type: {} };
    r.households += 1; r.by_type[hh.monitoring.type] = (r.by_type[hh.monitoring.type] || 0) + 1; measures.set(ms.kind, r);
  }
  return {
    org, households: list.length, persons: list.reduce((n, hh) => n + hh.members, 0),
    by_type: count((hh) => hh.monitoring.type, (k) => typeLabels[k], 'type'),
    by_status: count((hh) => hh.monitoring.status, (k) => ({ risk_active: '风险未消除', risk_eliminated: '风险已消除' })[k], 'status'),
    by_type_cause: [...byTypeCause.values()], measures: [...measures.values()],
  };
}

function serveStatic(req, res) {
  const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = path.join(webDir, rel === '/' ? 'index.html' : rel);
  if (!file.startsWith(webDir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); res.end(); return; }
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
}

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/healthz') { res.end('{"status":"ok"}'); return; }
  if (!url.pathname.startsWith('/api/')) { serveStatic(req, res); return; }
  let raw = '';
  req.on('data', (d) => { raw += d; });
  req.on('end', () => {
    const token = (req.headers.authorization || '').replace(/^Bearer /, '');
    const user = token === adminToken ? { id: 'admin', name: '管理员', role: 'admin', org: null } : users.get(token);
    let out = user ? null : fail(401, 'unauthorized', '令牌无效');
    if (!out) {
      try { out = handle(req.method, url, user, raw ? JSON.parse(raw) : {}); } catch (e) { out = fail(400, 'bad_request', e.message); }
    }
    res.writeHead(out.status || 200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(out.body));
  });
}).listen(Number(port), host, () => console.log(`mock dixian on http://${host}:${port}`));
