// The API client: relative URLs, bearer token from sessionStorage, errors turned into sentences.

const kTokenKey = 'dixian.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function getToken() {
  return sessionStorage.getItem(kTokenKey) || '';
}

export function setToken(token) {
  if (token) sessionStorage.setItem(kTokenKey, token);
  else sessionStorage.removeItem(kTokenKey);
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

// Wording for an HTTP status when the server sent no usable message.
const kStatusWords = {
  400: '请求格式有误，请检查填写的内容',
  401: '登录已失效，请重新输入令牌',
  403: '您没有权限执行此操作（角色或所属单位不符）',
  404: '未找到该记录，可能已被删除或编号有误',
  409: '该案件已被他人处理（版本已变化），已为您刷新，请确认后重试',
  413: '提交的内容过大',
  422: '提交的内容不符合要求',
};

export function errorText(err) {
  if (!(err instanceof ApiError)) return `无法连接服务器：${err && err.message ? err.message : err}`;
  if (err.status === 409) return kStatusWords[409];
  return err.message || kStatusWords[err.status] || `服务器出错（${err.status}），请稍后重试`;
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new Error(e.message || '网络错误');
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json && json.error) || {};
    const err = new ApiError(res.status, e.code || '', e.message || kStatusWords[res.status] || '');
    if (res.status === 401) onUnauthorized(err);
    throw err;
  }
  return json;
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const enc = encodeURIComponent;
