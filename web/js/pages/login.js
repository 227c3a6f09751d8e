// 登录: paste the user token issued by the administrator once; the console keeps a session for the
// working day instead (session.js). `initialError`: why a chat platform's sign-in failed.
import { h } from '../dom.js';
import { errorText } from '../api.js';
import { ROLES, label } from '../labels.js';

export function renderLogin(main, ctx, signIn, initialError) {
  const input = h('textarea#token', {
    name: 'token', rows: 3, required: true, autocomplete: 'off', spellcheck: false,
    'aria-describedby': 'token-help', placeholder: '在此粘贴您的用户令牌',
  });
  const error = h('p.form-error#login-error', { role: 'alert' }, initialError || '');
  const submit = h('button.primary.wide', { type: 'submit' }, '登录');
  const form = h('form.panel.login', {
    novalidate: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const token = input.value.trim();
      error.textContent = '';
      if (!token) {
        error.textContent = '请先粘贴用户令牌';
        input.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = '正在登录…';
      try {
        const me = await signIn(token);
        if (!me) error.textContent = '令牌无效或已停用，请核对后重新粘贴，或向管理员申请新令牌';
        else ctx.toast(`欢迎，${me.name}（${label(ROLES, me.role)}）`);
      } catch (err) {
        error.textContent = errorText(err);
      } finally {
        submit.disabled = false;
        submit.textContent = '登录';
      }
    },
  },
  h('h1', '登录工作台'),
  h('label', { for: 'token' }, '用户令牌'),
  input,
  h('p.help#token-help', '令牌由管理员在开通账号时发放，只需粘贴一次：登录后本浏览器当天保持登录（12 小时），从工作群消息打开的新页面无需再次登录；令牌本身不会保存。在公用电脑上用完请点“退出”。'),
  error,
  submit);
  main.append(form);
  input.focus();
}
