// The API client: relative URLs, the session token (session.js), errors turned into Chinese
// sentences an official can act on (the server's own message where it is Chinese).
import { sessionToken } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const getToken = sessionToken;

// A 401 before app.js set its handler (an answer boot.js asked for) waits for the handler.
let onUnauthorized = null;
let missedUnauthorized = null;
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
  if (missedUnauthorized) fn(missedUnauthorized);
  missedUnauthorized = null;
}
function unauthorized(err) {
  if (onUnauthorized) onUnauthorized(err);
  else missedUnauthorized = err;
}

// The console's own words, by error code first, then by HTTP status.
const kCodeWords = {
  unauthorized: '登录已失效，请重新登录',
  version_conflict: '该案件已被他人处理（版本已变化），已为您刷新，请确认后重试',
  task_closed: '该待办已办结，无需再办',
  task_not_found: '该待办不存在或已办结',
  payload_too_large: '提交的内容过大',
};
const kStatusWords = {
  400: '请求格式有误，请检查填写的内容',
  401: '登录已失效，请重新登录',
  403: '您没有权限执行此操作（角色或所属单位不符）',
  404: '未找到该记录，可能已被删除或编号有误',
  409: '该案件已被他人处理（版本已变化），已为您刷新，请确认后重试',
  413: '提交的内容过大',
  415: '提交的内容格式不受支持',
  422: '提交的内容不符合要求',
  429: '操作过于频繁，请稍后再试',
};

// Field names the server puts in front of a message ("comment: ...") in the console's words.
const kFieldWords = {
  comment: '意见', user: '人员', kind: '措施类别', description: '措施内容', department: '责任部门',
  note: '走访情况', mode: '走访方式', workflow: '业务类型', household: '户号', reason: '原因',
  'data.department': '承办行业部门', 'data.type': '监测对象类型', 'data.primary_cause': '主要风险',
  'data.causes': '风险类型', 'data.item': '预警事项', 'data.reason': '清退原因',
  'data.income_per_capita': '人均纯收入', expected_version: '案件版本',
};

const kCjk = /[\u3400-\u9fff]/;

// Keeps what an official should read: drops English asides in brackets ("(role x may not do
// this)"), names fields in Chinese; null when nothing Chinese is left.
export function chineseMessage(message) {
  if (!message) return null;
  let text = String(message).replace(/\s*[(（]([^()（）]*)[)）]/g, (all, inner) => (kCjk.test(inner) ? all : ''));
  text = text.replace(/^([a-z_.[\]0-9]+)\s*[:：]\s*/i, (all, field) => (kFieldWords[field] ? `${kFieldWords[field]}：` : ''));
  text = text.trim();
  return kCjk.test(text) ? text : null;
}

export function errorText(err) {
  if (!(err instanceof ApiError)) return '无法连接服务器，请检查网络后重试';
  if (err.status === 401) return kCodeWords.unauthorized;
  if (err.status === 409 && (err.code === 'version_conflict' || err.code === 'conflict' || !err.code)) {
    return kCodeWords.version_conflict;
  }
  if (kCodeWords[err.code]) return kCodeWords[err.code];
  return chineseMessage(err.message) || kStatusWords[err.status] || `服务器出错（${err.status}），请稍后重试`;
}

// `bearer`: a token other than the session's (signing in with a user token).
export async function api(method, path, body, bearer) {
  const headers = { Accept: 'application/json' };
  const token = bearer === undefined ? getToken() : bearer;
  if (token) headers.Authorization = `Bearer ${token}`;
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return answerOf(fetch(path, init), bearer === undefined);
}

// The JSON of a fetch's response, or an ApiError; a 401 of the session signs out (`session`).
async function answerOf(request, session) {
  let res;
  try {
    res = await request;
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
    const err = new ApiError(res.status, e.code || '', e.message || '');
    if (res.status === 401 && session) unauthorized(err);
    throw err;
  }
  return json;
}

// GETs started before the page's code has loaded (route-table.js `data`), by early.js (the
// page's first script: window.dixianEarly, path -> fetch) or else by boot.js: the page's own get()
// of the same path takes the answer once; app.js drops what the first page left.
const prefetched = new Map();
function earlyRequests() {
  if (!window.dixianEarly) window.dixianEarly = new Map();  // early.js, if it runs later, does nothing
  return window.dixianEarly;
}
export function prefetch(path) {
  if (prefetched.has(path)) return;
  const early = earlyRequests();
  const answer = early.has(path) ? answerOf(early.get(path), true) : api('GET', path);
  early.delete(path);
  answer.catch(() => {});  // the page that takes it handles the error
  prefetched.set(path, answer);
}
export function dropPrefetched() {
  prefetched.clear();
  earlyRequests().clear();
}

export const get = (path) => {
  const answer = prefetched.get(path);
  if (!answer) return api('GET', path);
  prefetched.delete(path);
  return answer;
};
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const enc = encodeURIComponent;
