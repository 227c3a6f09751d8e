// 线索: the open verifications of the caller's remit with their deadlines, and for department,
// county and province officers the monthly list upload (CSV id_number,indicator,detail) showing
// which rows matched and which did not (the server never says whether a row's household exists
// outside the caller's remit).
import { h, put, clear, formatTime, deadlineText, isOverdue } from './dom.js';
import { get, enc, errorText, getToken, ApiError } from './api.js';
import { field, recordForm } from './forms.js';

const SOURCES = { self_report: '农户自主申报', grassroots: '基层排查', department: '部门筛查预警', province: '省级预警下发' };
const kUploaders = ['department_officer', 'county_officer', 'province_officer'];

function leadItem(l) {
  const t = l.task || {};
  const late = isOverdue(t);
  const text = deadlineText(t);
  return h(`li.task-card.lead${late ? '.overdue' : ''}`, { 'data-lead': l.id },
    h('p.task-line',
      h('a', { href: `#/households/${enc(l.household)}` }, h('strong', `${l.head_name || l.household} 户`)),
      h('span.muted', ` · ${l.village_name || ''} · ${l.source_label || SOURCES[l.source] || l.source}`)),
    h('p.wrap', l.indicator, l.detail ? h('span.muted', `（${l.detail}）`) : null),
    h('p',
      h('span.muted', `入户核实截止 ${formatTime(t.due_at)} `),
      text ? h(`span.badge.deadline.${late ? 'late' : 'ok'}`, text) : null));
}

async function uploadCsv(text) {
  const res = await fetch('/api/v1/leads/import', {
    method: 'POST',
    headers: { Authorization: `Bearer ${getToken()}`, 'Content-Type': 'text/csv; charset=utf-8', Accept: 'application/json' },
    body: text,
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (body && body.error) || {};
    throw new ApiError(res.status, e.code || '', e.message || '');
  }
  return body;
}

function importForm(ctx, reload) {
  const file = h('input#leads-file', { type: 'file', name: 'file', accept: '.csv,text/csv' });
  const result = h('div#import-result', { 'aria-live': 'polite' });
  const form = recordForm({
    id: 'leads-import-form', title: '上传部门筛查名单',
    intro: 'CSV 文件，首行为 id_number,indicator,detail（身份证号、预警指标、说明）。能匹配到本辖区家庭成员的行生成线索，交村级入户核实；其余行列出原因。',
    fields: [field('名单文件（CSV）', file, { required: true })],
    submitText: '上传',
    onSubmit: async () => {
      clear(result);
      const text = await file.files[0].text();
      let r;
      try {
        r = await uploadCsv(text);
      } catch (err) {
        put(result, h('p.form-error#import-error', errorText(err)));
        return;
      }
      put(result,
        h('p.summary#import-summary', `匹配 ${r.matched} 行，生成线索 ${r.leads.length} 条；未匹配 ${r.unmatched.length} 行`),
        r.unmatched.length ? h('ul.plain-list#import-unmatched', r.unmatched.map((u) =>
          h('li', { 'data-line': u.line }, h('strong', `第 ${u.line} 行`), ` ${u.reason}`))) : null);
      ctx.toast(`已生成线索 ${r.leads.length} 条`);
      reload();
    },
  });
  return h('div', form, result);
}

export async function renderLeads(view, ctx) {
  const list = h('ul.plain-list#leads-list');
  const note = h('p.summary#leads-summary');
  const draw = async () => {
    const leads = (await get('/api/v1/leads?status=open')) || [];
    put(clear(note), leads.length ? `待核实线索 ${leads.length} 条（按发现时间排列）` : '没有待核实的线索。');
    put(clear(list), leads.map(leadItem));
  };
  const reload = () => draw().catch((err) => put(clear(note), errorText(err)));
  const uploader = ctx.me && kUploaders.includes(ctx.me.role);
  put(view, h('div.page-head', h('h1', '线索核实')), note, list, uploader ? importForm(ctx, reload) : null);
  await draw();
}
