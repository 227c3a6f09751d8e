// Test data for the console tests, created through the public API (docs: shared API.md).
export const base = process.env.DIXIAN_URL;
export const adminToken = process.env.DIXIAN_ADMIN_TOKEN;

export async function call(method, path, body, token = adminToken) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  if (!res.ok) {
    const err = new Error(`${method} ${path} -> ${res.status} ${text}`);
    err.status = res.status;
    throw err;
  }
  return json;
}

export const orgs = [
  { code: '410000', name: '河南省', level: 'province', parent: null },
  { code: '411500', name: '信阳市', level: 'city', parent: '410000' },
  { code: '411521', name: '罗山县', level: 'county', parent: '411500' },
  { code: '411521100', name: '周党镇', level: 'township', parent: '411521' },
  { code: '411521100201', name: '青山村', level: 'village', parent: '411521100' },
  { code: '411521101', name: '朱堂乡', level: 'township', parent: '411521' },
  { code: '411521101202', name: '花园村', level: 'village', parent: '411521101' },
];

export const people = {
  clerkQs: { id: 'u-clerk-qs', name: '李文华', role: 'village_clerk', org: '411521100201', mobile: '13800001001' },
  clerkHy: { id: 'u-clerk-hy', name: '陈晓燕', role: 'village_clerk', org: '411521101202', mobile: '13800001002' },
  reviewer: { id: 'u-rev-zd', name: '王建国', role: 'township_reviewer', org: '411521100', mobile: '13800001003' },
  reviewer2: { id: 'u-rev-zd2', name: '王建军', role: 'township_reviewer', org: '411521100', mobile: '13800001008' },
  dept: { id: 'u-dept-med', name: '罗山县医保局', role: 'department_officer', org: '411521', mobile: '13800001009', department: 'medical' },
  reviewerZt: { id: 'u-rev-zt', name: '刘芳', role: 'township_reviewer', org: '411521101', mobile: '13800001004' },
  county: { id: 'u-county', name: '赵敏', role: 'county_officer', org: '411521', mobile: '13800001005' },
  supervisor: { id: 'u-sup', name: '孙志强', role: 'supervisor', org: '411521', mobile: '13800001006' },
  contact: { id: 'u-contact', name: '周丽', role: 'contact_person', org: '411521100201', mobile: '13800001007' },
  province: { id: 'u-prov', name: '吴桂兰', role: 'province_officer', org: '410000', mobile: '13800001010' },
};

export const households = [
  { id: 'H001', village: '411521100201', head_name: '张三', members: 4, income_per_capita: 4200 },
  { id: 'H002', village: '411521100201', head_name: '李四', members: 3, income_per_capita: 5100 },
  { id: 'H003', village: '411521101202', head_name: '王五', members: 5, income_per_capita: 3900 },
  { id: 'H004', village: '411521100201', head_name: '赵六', members: 2, income_per_capita: 4700 },
  { id: 'H005', village: '411521100201', head_name: '钱七', members: 3, income_per_capita: 4400 },
];

const caseData = {
  H001: { type: 'marginal', primary_cause: 'illness', causes: ['illness'], income_per_capita: 4200 },
  H002: { type: 'unstable_former_poor', primary_cause: 'disability', causes: ['disability', 'illness'], income_per_capita: 5100 },
  H003: { type: 'marginal', primary_cause: 'disaster', causes: ['disaster'], income_per_capita: 3900 },
  H004: { type: 'sudden_hardship', primary_cause: 'accident', causes: ['accident'], income_per_capita: 4700 },
};

// A photo (8x8 PNG) and minutes (a small PDF), as a clerk's phone would send them.
export const kPhoto = Buffer.from('89504e470d0a1a0a0000000d4948445200000008000000080802000000' +
  '4b6d29dc000000114944415478da63d0ab35c28a18869604009603374' + '18afdeb7c0000000049454e44ae426082', 'hex');
export const kMinutes = Buffer.from('%PDF-1.4\n% 民主评议会议记录\n%%EOF\n');

// Uploads a file to a case (raw body, Content-Type, X-Filename percent-encoded, ?kind=).
export async function attach(caseId, kind, bytes, type, name, token) {
  const res = await fetch(`${base}/api/v1/cases/${encodeURIComponent(caseId)}/attachments?kind=${kind}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': type, 'X-Filename': encodeURIComponent(name) },
    body: bytes,
  });
  if (res.status !== 201) throw new Error(`attach ${kind} to ${caseId} -> ${res.status} ${await res.text()}`);
  return res.json();
}

// Submits a case at village level until a township review task is open; returns the case.
export async function bringToTownship(caseId, clerkToken) {
  for (let i = 0; i < 6; i++) {
    const c = await call('GET', `/api/v1/cases/${caseId}`, undefined, clerkToken);
    const roles = (c.tasks || []).map((t) => t.role);
    if (roles.includes('township_reviewer')) return c;
    if (!roles.includes('village_clerk')) throw new Error(`case ${caseId} has no village or township task: ${JSON.stringify(c)}`);
    const submit = (c.allowed_actions || []).find((a) => a === 'submit' || a.action === 'submit') || {};
    const held = new Set((c.attachments || []).map((a) => a.kind));
    for (const need of submit.requires_evidence || []) {
      if (!held.has(need.kind)) await attach(caseId, need.kind, kMinutes, 'application/pdf', '评议记录.pdf', clerkToken);
    }
    const data = {};
    for (const f of submit.requires || []) if (f.startsWith('data.')) data[f.slice(5)] = '已入户核实，民主评议通过';
    await call('POST', `/api/v1/cases/${caseId}/actions`,
      { action: 'submit', comment: '已入户核实并经民主评议', expected_version: c.version, data }, clerkToken);
  }
  throw new Error(`case ${caseId} did not reach township review`);
}

export async function seed() {
  for (const org of orgs) await call('POST', '/api/v1/orgs', org);
  const tokens = {};
  for (const [key, user] of Object.entries(people)) {
    tokens[key] = (await call('POST', '/api/v1/users', user)).token;
  }
  for (const hh of households) await call('POST', '/api/v1/households', hh);
  const caseIds = {};
  for (const hh of households.filter((x) => caseData[x.id])) {
    const clerk = hh.village === people.clerkQs.org ? tokens.clerkQs : tokens.clerkHy;
    const c = await call('POST', '/api/v1/cases', { workflow: 'identification', household: hh.id, data: caseData[hh.id] }, clerk);
    caseIds[hh.id] = c.id;
    await bringToTownship(c.id, clerk);
  }
  return { tokens, caseIds };
}
