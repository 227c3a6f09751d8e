// The act-on-a-case panel shared by 我的待办 and 案件详情: re-read the case for its version, ask for
// what the action requires (a reason for 退回 / 不予通过, the department for 派单, the village
// records for 提交), post the action, explain errors in words.
import { h, clear } from './dom.js';
import { get, post, enc, errorText } from './api.js';
import { ACTIONS, DEPARTMENTS, STEPS, label } from './labels.js';
import { field, options, textBox, textField, kLimits } from './forms.js';

export const kNeedsComment = new Set(['return', 'reject', 'object']);

// allowed_actions entries are names or {action, label, requires, optional}.
export function normalizeActions(list) {
  if (!Array.isArray(list)) return null;
  return list.map((a) => (typeof a === 'string'
    ? { action: a, label: label(ACTIONS, a), requires: [], optional: [] }
    : { action: a.action, label: a.label || label(ACTIONS, a.action), requires: a.requires || [], optional: a.optional || [] }));
}

const kDataFieldLabels = { department: '承办行业部门', reason: '原因', note: '说明' };

// An input for a "data.<name>" field of an action; optional ones may stay empty.
function dataField(name, required) {
  const control = name === 'department'
    ? h('select', { name }, options(DEPARTMENTS, required ? '请选择' : '按预警事项自动分派'))
    : textBox({ name, rows: 0, max: kLimits.short });
  const text = kDataFieldLabels[name] || name;
  const node = control.counter ? textField(text, control, { required }) : field(text, control, { required });
  return { name, control, node, required };
}

export function actionButtonClass(action) {
  return action === 'approve' || action === 'submit' ? 'primary' : action === 'reject' ? 'danger' : 'secondary';
}

// Opens inside `host`. `def` is the action's {action, label, requires, optional} when known.
// `collect()` (optional) returns extra `data` to send (the village records) or throws an Error
// whose message is shown. Calls onDone(updatedCase, action) after success.
export function openActionPanel(host, { caseId, action, def, collect, onDone, onCancel }) {
  clear(host);
  const word = (def && def.label) || label(ACTIONS, action);
  let needsComment = kNeedsComment.has(action);
  const dataHost = h('div.data-fields');
  let dataFields = [];
  const stateLine = h('p.state-line', '正在读取案件的最新状态…');
  const comment = textBox({ name: 'comment', max: kLimits.comment,
    placeholder: needsComment ? '请写明理由，便于下级整改' : '可填写意见（选填）' });
  const commentLabel = h('label', { for: comment.id });
  const setCommentRequired = (on) => {
    needsComment = on;
    comment.required = on;
    comment.setAttribute('aria-required', on ? 'true' : 'false');
    commentLabel.textContent = on ? `${word}理由（必填）` : '意见（选填）';
  };
  setCommentRequired(needsComment);
  const error = h('p.form-error', { role: 'alert' });
  const notice = h('p.notice-line', { role: 'status' });
  const confirm = h(`button.${actionButtonClass(action)}`, { type: 'submit', disabled: true }, `确认${word}`);
  let current = null;

  function applyDef(d) {
    if (!d) return;
    if ((d.requires || []).includes('comment')) setCommentRequired(true);
    if (dataFields.length) return;
    const req = (d.requires || []).filter((f) => f.startsWith('data.'));
    const opt = (d.optional || []).filter((f) => f.startsWith('data.') && !req.includes(f));
    dataFields = [...req.map((f) => dataField(f.slice(5), true)), ...opt.map((f) => dataField(f.slice(5), false))];
    dataHost.append(...dataFields.map((f) => f.node));
  }
  applyDef(def);

  async function refresh() {
    current = await get(`/api/v1/cases/${enc(caseId)}`);
    const stateWord = current.state_label || label(STEPS, current.state);
    clear(stateLine).append('当前状态：', h('strong', stateWord), `（版本 ${current.version}）`);
    const allowed = normalizeActions(current.allowed_actions);
    const mine = Array.isArray(current.my_actions) ? current.my_actions : null;
    const found = allowed && allowed.find((a) => a.action === action);
    applyDef(found);
    const may = found && (!mine || mine.includes(action));
    confirm.disabled = !may;
    return may;
  }

  const form = h('form.action-panel', {
    novalidate: true,
    'data-action': action,
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      const text = comment.value.trim();
      if (needsComment && !text) {
        error.textContent = `请填写${word}理由（必填）`;
        comment.setAttribute('aria-invalid', 'true');
        comment.focus();
        return;
      }
      comment.removeAttribute('aria-invalid');
      const missing = dataFields.find((f) => f.required && !f.control.value.trim());
      if (missing) {
        error.textContent = `请填写“${kDataFieldLabels[missing.name] || missing.name}”`;
        missing.control.focus();
        return;
      }
      let data = {};
      try {
        if (collect) data = collect() || {};
      } catch (err) {
        error.textContent = err.message;
        return;
      }
      for (const f of dataFields) if (f.control.value.trim()) data[f.name] = f.control.value.trim();
      if (!current) return;
      confirm.disabled = true;
      try {
        const body = { action, comment: text, expected_version: current.version };
        if (Object.keys(data).length) body.data = data;
        const result = await post(`/api/v1/cases/${enc(caseId)}/actions`, body);
        onDone(result || {}, action);
      } catch (err) {
        // The reason stays on screen; re-reading the case only updates the state line and the
        // button (a 409 must not be replaced by what a second attempt would answer).
        error.textContent = errorText(err);
        if (err.status === 409 || err.status === 422) {
          try {
            const may = await refresh();
            notice.textContent = may ? '已刷新为最新状态，请确认后重试。' : `案件已不在可“${word}”的状态，无需再办。`;
          } catch (e2) {
            notice.textContent = errorText(e2);
          }
        } else {
          confirm.disabled = false;
        }
      }
    },
  },
  h('h3', `${word}：请确认`),
  stateLine,
  commentLabel,
  comment,
  comment.counter,
  dataHost,
  error,
  notice,
  h('div.button-row', confirm,
    h('button.secondary', { type: 'button', onclick: () => { clear(host); if (onCancel) onCancel(); } }, '取消')));
  host.append(form);
  comment.focus({ preventScroll: true });
  refresh().then((may) => {
    if (!may && !error.textContent) error.textContent = `当前状态下您不能“${word}”此案件。`;
  }).catch((err) => { error.textContent = errorText(err); });
  return form;
}

// Message after a successful action, naming the new state when the server says it.
export function doneMessage(word, result) {
  const state = result.state_label || (result.state ? label(STEPS, result.state) : '');
  return state ? `已${word}，案件当前状态：${state}` : `已${word}`;
}
