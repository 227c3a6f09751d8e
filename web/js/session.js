// The console session (issue 19 item 8): the pasted user token, or a chat platform's sign-in
// code, is exchanged once (POST /api/v1/sessions) for a session token kept in localStorage with
// its expiry, so every tab opened from a chat link is signed in for the working day. The user
// token itself is never stored. Tabs follow each other: signing out in one signs out all.

const kKey = 'dixian.session';

function read() {
  try {
    const s = JSON.parse(localStorage.getItem(kKey) || 'null');
    if (s && s.session && typeof s.until === 'number' && Date.now() < s.until) return s;
  } catch {
    // unreadable: treated as signed out
  }
  if (localStorage.getItem(kKey) !== null) localStorage.removeItem(kKey);
  return null;
}

export function sessionToken() {
  const s = read();
  return s ? s.session : '';
}

export function sessionMe() {
  const s = read();
  return s ? s.me : null;
}

// `answer`: POST /sessions' {"session","expires_at","expires_in","me"}. The expiry is kept as
// this browser's time from `expires_in`, so a skewed clock (or the test clock) does not matter.
export function keepSession(answer) {
  const seconds = Number(answer.expires_in) || 0;
  localStorage.setItem(kKey, JSON.stringify({
    session: answer.session, expires_at: answer.expires_at, until: Date.now() + seconds * 1000, me: answer.me,
  }));
}

export function dropSession() {
  localStorage.removeItem(kKey);
}

// Another tab signed in or out.
export function onSessionChange(fn) {
  window.addEventListener('storage', (e) => {
    if (e.key === kKey || e.key === null) fn(sessionToken());
  });
}

// Opened with a chat platform's sign-in code (below): the session comes first, no page data yet.
export function hasSignInCode() {
  return /[?&](code|authCode|auth_code|channel|state)=/.test(location.search);
}

// A sign-in from DingTalk / WeCom / Feishu arrives as ?channel=ID&code=CODE (DingTalk: authCode;
// the platforms add code and state to the redirect address; state may carry the channel) and
// optionally &next=/cases/ID. Returns {channel, code, next} and takes them out of the address bar.
export function takeSignInCode() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code') || params.get('authCode') || params.get('auth_code');
  const channel = params.get('channel') || params.get('state');
  if (!code && !channel) return null;
  const next = params.get('next') || '';
  const hash = /^\/[A-Za-z0-9/_.-]*$/.test(next) ? `#${next}` : location.hash;
  history.replaceState(null, '', `${location.pathname}${hash}`);
  return code && channel ? { channel, code } : null;
}
