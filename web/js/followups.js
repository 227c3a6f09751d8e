// What an official can do about one open task, wherever it is listed: the form that finishes it
// (only for whoever holds it), 转办 (the holder or a supervisor) and 催办 (county, province,
// supervisor). Follow-up kinds: assign_contact, handover, measures, visit, visit_quarterly.
import { h, clear } from './dom.js';
import { get, post, put, enc, errorText } from './api.js';
import { DEPARTMENTS, MEASURE_KINDS, VISIT_MODES } from './labels.js';
import { field, options, recordForm, textBox, textField, kLimits } from './forms.js';

const kUrgeRoles = new Set(['supervisor', 'county_officer', 'province_officer']);
const kMeasureRoles = new Set(['township_reviewer', 'county_officer', 'department_officer', 'contact_person']);

// Does `me` hold the task (may finish it)?
export function holds(me, task) {
  if (!me || !task || me.role !== task.role) return false;
  if (task.assignee) return task.assignee === me.id;
  if (me.role === 'contact_person') return false;  // visits wait for a named contact person
  return task.org === me.org;
}

export const canUrge = (me, task) => Boolean(me) && kUrgeRoles.has(me.role) && !holds(me, task);
export const canTransfer = (me, task) => Boolean(me) && (holds(me, task) || me.role === 'supervisor');

// May `me` record a measure for this household (the server checks again)?
export function canRecordMeasure(me, hh) {
  const m = hh && hh.monitoring;
  if (!me || !m || m.status !== 'risk_active' || !kMeasureRoles.has(me.role)) return false;
  return me.role !== 'contact_person' || m.contact === me.id;
}

export const canLogVisit = (me, hh) => Boolean(me && hh && hh.monitoring && me.role === 'contact_person' && hh.monitoring.contact === me.id);

export function measureForm(householdId, ctx, onSaved, { title = '登记帮扶措施', id = 'measure-form' } = {}) {
  const dept = h('select', { name: 'department' }, options(DEPARTMENTS, ctx.me.role === 'department_officer' ? '本部门' : '（无）'));
  const desc = textBox({ name: 'description', max: kLimits.description, placeholder: '如：纳入农村低保，每月保障金…' });
  return recordForm({
    id, title, submitText: '保存措施', className: 'subpanel',
    intro: '一户一方案、一人一措施；措施应针对该户的风险。',
    fields: [
      field('措施类别', h('select', { name: 'kind' }, options(MEASURE_KINDS, '请选择')), { required: true }),
      field('责任部门', dept),
      textField('措施内容', desc, { required: true }),
    ],
    onSubmit: async (form) => {
      const body = { kind: form.kind.value, description: form.description.value.trim() };
      if (form.department.value) body.department = form.department.value;
      await post(`/api/v1/households/${enc(householdId)}/measures`, body);
      ctx.toast('帮扶措施已保存');
      onSaved();
    },
  });
}

export function visitForm(householdId, ctx, onSaved, awayLongTerm) {
  const mode = h('select', { name: 'mode' }, options(VISIT_MODES));
  const note = textBox({ name: 'note', max: kLimits.note, placeholder: '家庭近况、“两不愁三保障”及饮水安全情况、帮扶诉求…' });
  return recordForm({
    id: 'visit-form', title: '登记走访', submitText: '保存走访', className: 'subpanel',
    fields: [
      field('走访方式', mode, { required: true, help: awayLongTerm ? '该户常年外出，可电话或微信联系。'
        : '电话、微信只适用于常年外出不在家的农户，其余应入户走访。' }),
      textField('走访情况', note, { required: true }),
    ],
    onSubmit: async (form) => {
      await post(`/api/v1/households/${enc(householdId)}/visits`, { mode: form.mode.value, note: form.note.value.trim() });
      ctx.toast('走访记录已保存');
      onSaved();
    },
  });
}

function contactForm(householdId, ctx, onSaved) {
  const select = h('select', { name: 'user' }, h('option', { value: '' }, '正在读取可选人员…'));
  const form = recordForm({
    id: 'contact-form', title: '明确帮扶联系人', submitText: '确定联系人', className: 'subpanel',
    intro: '从管辖该村的帮扶干部中选择；联系人负责每月走访。',
    fields: [field('帮扶联系人', select, { required: true })],
    onSubmit: async () => {
      const r = await put(`/api/v1/households/${enc(householdId)}/contact`, { user: select.value });
      ctx.toast(`已明确帮扶联系人：${r.contact_name || select.value}`);
      onSaved();
    },
  });
  get(`/api/v1/households/${enc(householdId)}/contact_candidates`).then((people) => {
    clear(select).append(h('option', { value: '' }, people.length ? '请选择' : '管辖范围内没有帮扶干部账号，请联系管理员开通'),
      ...people.map((p) => h('option', { value: p.id }, `${p.name}（${p.org_name || p.org}）`)));
  }).catch((err) => { clear(select).append(h('option', { value: '' }, errorText(err))); });
  return form;
}

function handoverForm(task, ctx, onSaved) {
  return recordForm({
    id: 'handover-form', title: '移交乡镇和行业部门', submitText: '确认已移交', className: 'subpanel',
    intro: '纳入监测后2日内，将该户移交所在乡镇和相关行业部门，由其明确责任人、落实帮扶。',
    fields: [],
    onSubmit: async () => {
      await post(`/api/v1/tasks/${enc(task.id)}/complete`, {});
      ctx.toast('已确认移交');
      onSaved();
    },
  });
}

// The form that finishes a follow-up task, for its holder; null for others and for chain steps
// (those are finished on the case page).
export function finishForm(task, hh, ctx, onSaved) {
  if (task.case || !holds(ctx.me, task)) return null;
  switch (task.step) {
    case 'assign_contact': return contactForm(task.household, ctx, onSaved);
    case 'handover': return handoverForm(task, ctx, onSaved);
    case 'measures': return measureForm(task.household, ctx, onSaved, { title: '落实帮扶措施', id: 'measures-task-form' });
    case 'visit':
    case 'visit_quarterly': return visitForm(task.household, ctx, onSaved, hh && hh.away_long_term);
    default: return null;
  }
}

function urgeForm(task, ctx, onDone) {
  const note = textBox({ name: 'comment', max: kLimits.comment, placeholder: '请尽快办理' });
  return recordForm({
    title: '催办', submitText: '发送催办', className: 'subpanel',
    fields: [textField('催办内容', note)],
    onSubmit: async () => {
      await post(`/api/v1/tasks/${enc(task.id)}/urge`, note.value.trim() ? { comment: note.value.trim() } : {});
      ctx.toast('已催办，提醒已发送到承办单位');
      onDone();
    },
  });
}

function transferForm(task, ctx, onDone) {
  const select = h('select', { name: 'user' }, h('option', { value: '' }, '正在读取可选人员…'));
  const note = textBox({ name: 'comment', max: kLimits.comment, placeholder: '转办原因（选填）' });
  get(`/api/v1/tasks/${enc(task.id)}/transfer_candidates`).then((people) => {
    clear(select).append(h('option', { value: '' }, people.length ? '请选择' : '没有可转办的同岗位人员'),
      ...people.map((p) => h('option', { value: p.id }, `${p.name}（${p.org_name || p.org}）`)));
  }).catch((err) => { clear(select).append(h('option', { value: '' }, errorText(err))); });
  return recordForm({
    title: '转办', submitText: '确认转办', className: 'subpanel',
    fields: [field('转给', select, { required: true }), textField('说明', note)],
    onSubmit: async () => {
      const body = { user: select.value };
      if (note.value.trim()) body.comment = note.value.trim();
      await post(`/api/v1/tasks/${enc(task.id)}/transfer`, body);
      ctx.toast(`已转办给 ${select.selectedOptions[0].textContent}`);
      onDone();
    },
  });
}

// 催办 / 转办 buttons for a task, opening their small form in `host`.
export function taskTools(task, ctx, host, onDone) {
  const tools = [];
  const open = (make) => () => { clear(host).append(make(task, ctx, () => { clear(host); onDone(); })); };
  if (canUrge(ctx.me, task)) tools.push(h('button.secondary', { type: 'button', 'data-tool': 'urge', onclick: open(urgeForm) }, '催办'));
  if (canTransfer(ctx.me, task)) tools.push(h('button.secondary', { type: 'button', 'data-tool': 'transfer', onclick: open(transferForm) }, '转办'));
  return tools;
}
