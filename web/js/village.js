// The village step's records (村级填报): 入户核实 (the home visit that checks the facts) and
// 民主评议 (the villagers' evaluation meeting). They travel in the case's `data` as
// `verification` {date, visitors, findings} and `evaluation` {date, participants, agreed,
// result, minutes}: sent with 提交, shown at every later step, prefilled when a case comes back.
import { h } from './dom.js';
import { field, options, textBox, textField, kLimits } from './forms.js';

// Which records each chain's village steps take.
const kRecordsByStep = {
  identification: { village_fill: ['verification', 'evaluation'], fast_tracked: ['verification', 'evaluation'] },
  alert: { village_flag: ['verification'] },
  risk_elimination: { village_fill: ['verification', 'evaluation'] },
  removal: { village_fill: ['verification', 'evaluation'] },
  reflag: { village_fill: ['verification'] },
};

const kResults = { pass: '评议通过', fail: '评议未通过' };

export function recordsFor(workflow, state) {
  return (kRecordsByStep[workflow] || {})[state] || [];
}

function dl(rows) {
  return h('dl.facts.grid', rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => h('div', h('dt', k), h('dd', String(v)))));
}

// Read-only view of whatever records the case carries.
export function recordsView(data) {
  const v = data && data.verification;
  const e = data && data.evaluation;
  if (!v && !e) return null;
  return h('div.records#village-records',
    v ? h('section.record', h('h3', '入户核实'), dl([['核实日期', v.date], ['入户人员', v.visitors], ['核实情况', v.findings]])) : null,
    e ? h('section.record', h('h3', '民主评议'), dl([['评议日期', e.date], ['参会人数', e.participants],
      ['同意人数', e.agreed], ['评议结果', kResults[e.result] || e.result], ['评议情况', e.minutes]])) : null);
}

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

// Editable records for the clerk at a village step. Returns {node, collect}; collect() returns
// the data to send or throws an Error naming what is missing.
export function recordsForm(kinds, data = {}) {
  const parts = [];
  const getters = [];
  if (kinds.includes('verification')) {
    const v = data.verification || {};
    const date = h('input', { type: 'date', name: 'verification_date', value: v.date || today() });
    const visitors = textBox({ name: 'visitors', rows: 0, max: kLimits.short, value: v.visitors || '', placeholder: '如：村支书、网格员' });
    const findings = textBox({ name: 'findings', max: kLimits.note, value: v.findings || '',
      placeholder: '家庭成员、收入和支出、“两不愁三保障”及饮水安全情况' });
    parts.push(h('fieldset.record-edit#verification-form', h('legend', '入户核实'),
      field('核实日期', date, { required: true }), textField('入户人员', visitors, { required: true }),
      textField('核实情况', findings, { required: true })));
    getters.push(() => {
      if (!date.value || !visitors.value.trim() || !findings.value.trim()) throw new Error('请填写完整的入户核实记录（日期、入户人员、核实情况）');
      return { verification: { date: date.value, visitors: visitors.value.trim(), findings: findings.value.trim() } };
    });
  }
  if (kinds.includes('evaluation')) {
    const e = data.evaluation || {};
    const date = h('input', { type: 'date', name: 'evaluation_date', value: e.date || today() });
    const participants = h('input', { type: 'number', name: 'participants', min: 1, inputmode: 'numeric', value: e.participants ?? '' });
    const agreed = h('input', { type: 'number', name: 'agreed', min: 0, inputmode: 'numeric', value: e.agreed ?? '' });
    const result = h('select', { name: 'result' }, options(kResults, '请选择'));
    result.value = e.result || '';
    const minutes = textBox({ name: 'minutes', max: kLimits.note, value: e.minutes || '', placeholder: '参会人员、评议意见、表决情况' });
    parts.push(h('fieldset.record-edit#evaluation-form', h('legend', '民主评议'),
      field('评议日期', date, { required: true }),
      h('div.pair', field('参会人数', participants, { required: true }), field('同意人数', agreed, { required: true })),
      field('评议结果', result, { required: true }), textField('评议情况', minutes, { required: true })));
    getters.push(() => {
      const n = Number(participants.value);
      const yes = Number(agreed.value);
      if (!date.value || !participants.value || agreed.value === '' || !result.value || !minutes.value.trim()) {
        throw new Error('请填写完整的民主评议记录（日期、参会人数、同意人数、评议结果、评议情况）');
      }
      if (!Number.isInteger(n) || n < 1 || !Number.isInteger(yes) || yes < 0 || yes > n) {
        throw new Error('民主评议：同意人数应为不超过参会人数的整数');
      }
      return { evaluation: { date: date.value, participants: n, agreed: yes, result: result.value, minutes: minutes.value.trim() } };
    });
  }
  return {
    node: h('div.records-edit', parts),
    collect: () => Object.assign({}, ...getters.map((g) => g())),
  };
}
