// The act-on-a-case panel shared by 我的待办 and 案件详情: fetch the case for its version,
// ask for a comment (required for 退回 and 不予通过), post the action, explain errors in words.
import { h, clear } from './dom.js';
import { get, post, enc, errorText } from './api.js';
import { ACTIONS, DEPARTMENTS, STEPS, label } from './labels.js';

export const kNeedsComment = new Set(['return', 'reject']);

// allowed_actions may be names or {action, label, requires}; returns [{action, label, requires}].
export function normalizeActions(list) {
  if (!Array.isArray(list)) return null;
  return list.map((a) => (typeof a === 'string'
    ? { action: a, label: label(ACTIONS, a), requires: [] }
    : { action: a.action, label: a.label || label(ACTIONS, a.action), requires: a.requires || [] }));
}

const kDataFieldLabels = { department: '承办行业部门', reason: '原因', minutes: '民主评议记录', note: '说明' };

// An input for a required "data.<name>" field of an action.
function dataField(name, idPrefix) {
  const id = `${idPrefix}-data-${name}`;
  const control = name === 'department'
    ? h('select', { id, name, required: true }, h('option', { value: '' }, '请选择'),
      Object.entries(DEPARTMENTS).map(([value, text]) => h('option', { value }, text)))
    : h('input', { id, name, required: true, autocomplete: 'off' });
  return { name, control, node: h('div.field', h('label', { for: id }, `${kDataFieldLabels[name] || name}（必填）`), control) };
}

// Which buttons a chain task offers before the case is loaded.
export function guessActions(task) {
  if (!task.case) return [];
  return task.role === 'village_clerk' ? ['submit'] : ['approve', 'return', 'reject'];
}

export function actionButtonClass(action) {
  return action === 'approve' || action === 'submit' ? 'primary' : action === 'reject' ? 'danger' : 'secondary';
}

// Opens inside `host`; calls onDone(updatedCase) after a successful action.
export function openActionPanel(host, { caseId, action, ctx, onDone, onCancel }) {
  clear(host);
  let needsComment = kNeedsComment.has(action);
  const word = label(ACTIONS, action);
  const fieldId = `comment-${caseId}-${action}`.replace(/[^\w-]/g, '_');
  const dataHost = h('div.data-fields');
  let dataFields = [];
  const stateLine = h('p.state-line', '正在读取案件的最新状态…');
  const comment = h('textarea', {
    id: fieldId, name: 'comment', rows: 3, required: needsComment,
    'aria-required': needsComment ? 'true' : 'false',
    placeholder: needsComment ? `请写明${word}理由，便于下级整改` : '可填写审核意见（选填）',
  });
  const error = h('p.form-error', { role: 'alert' });
  const confirm = h(`button.${actionButtonClass(action)}`, { type: 'submit', disabled: true }, `确认${word}`);
  const commentLabel = h('label', { for: fieldId }, needsComment ? `${word}理由（必填）` : '意见（选填）');
  let current = null;

  async function refresh() {
    current = await get(`/api/v1/cases/${enc(caseId)}`);
    const stateWord = current.state_label || label(STEPS, current.state);
    clear(stateLine).append('当前状态：', h('strong', stateWord), `（版本 ${current.version}）`);
    const allowed = normalizeActions(current.allowed_actions);
    const def = allowed && allowed.find((a) => a.action === action);
    if (def) {
      const requires = def.requires || [];
      if (requires.includes('comment') && !needsComment) {
        needsComment = true;
        comment.required = true;
        comment.setAttribute('aria-required', 'true');
        commentLabel.textContent = `${word}理由（必填）`;
      }
      if (!dataFields.length) {
        dataFields = requires.filter((f) => f.startsWith('data.')).map((f) => dataField(f.slice(5), fieldId));
        dataHost.append(...dataFields.map((f) => f.node));
      }
    }
    if (allowed && !def) {
      error.textContent = `当前状态下您不能“${word}”此案件。`;
      confirm.disabled = true;
    } else {
      confirm.disabled = false;
    }
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
      const missing = dataFields.find((f) => !f.control.value.trim());
      if (missing) {
        error.textContent = `请填写“${missing.node.querySelector('label').textContent.replace('（必填）', '')}”`;
        missing.control.focus();
        return;
      }
      if (!current) return;
      confirm.disabled = true;
      try {
        const body = { action, comment: text, expected_version: current.version };
        if (dataFields.length) body.data = Object.fromEntries(dataFields.map((f) => [f.name, f.control.value.trim()]));
        const result = await post(`/api/v1/cases/${enc(caseId)}/actions`, body);
        onDone(result || {}, action);
      } catch (err) {
        error.textContent = errorText(err);
        if (err.status === 409 || err.status === 422) {
          try { await refresh(); } catch (e2) { error.textContent += `；${errorText(e2)}`; }
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
  dataHost,
  error,
  h('div.button-row', confirm,
    h('button.secondary', { type: 'button', onclick: () => { clear(host); if (onCancel) onCancel(); } }, '取消')));
  host.append(form);
  comment.focus();
  refresh().catch((err) => { error.textContent = errorText(err); });
  return form;
}

// Message after a successful action, naming the new state when the server says it.
export function doneMessage(action, result) {
  const word = label(ACTIONS, action);
  const state = result.state_label || (result.state ? label(STEPS, result.state) : '');
  return state ? `已${word}，案件当前状态：${state}` : `已${word}`;
}
