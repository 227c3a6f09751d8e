// The act-on-a-case panel shared by 我的待办 and 案件详情: fetch the case for its version,
// ask for a comment (required for 退回 and 不予通过), post the action, explain errors in words.
import { h, clear } from './dom.js';
import { get, post, enc, errorText } from './api.js';
import { ACTIONS, STEPS, label } from './labels.js';

export const kNeedsComment = new Set(['return', 'reject']);

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
  const needsComment = kNeedsComment.has(action);
  const word = label(ACTIONS, action);
  const fieldId = `comment-${caseId}-${action}`.replace(/[^\w-]/g, '_');
  const stateLine = h('p.state-line', '正在读取案件的最新状态…');
  const comment = h('textarea', {
    id: fieldId, name: 'comment', rows: 3, required: needsComment,
    'aria-required': needsComment ? 'true' : 'false',
    placeholder: needsComment ? `请写明${word}理由，便于下级整改` : '可填写审核意见（选填）',
  });
  const error = h('p.form-error', { role: 'alert' });
  const confirm = h(`button.${actionButtonClass(action)}`, { type: 'submit', disabled: true }, `确认${word}`);
  let current = null;

  async function refresh() {
    current = await get(`/api/v1/cases/${enc(caseId)}`);
    const stateWord = current.state_label || label(STEPS, current.state);
    clear(stateLine).append('当前状态：', h('strong', stateWord), `（版本 ${current.version}）`);
    const allowed = current.allowed_actions;
    if (Array.isArray(allowed) && !allowed.includes(action)) {
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
      if (!current) return;
      confirm.disabled = true;
      try {
        const body = { action, comment: text, expected_version: current.version };
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
  h('label', { for: fieldId }, needsComment ? `${word}理由（必填）` : '意见（选填）'),
  comment,
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
