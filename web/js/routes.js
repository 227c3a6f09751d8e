// The console's pages, one line each (hash routes: #/tasks, #/cases/ID ...). Adding a page:
//   import * as leads from './leads.js';
//   { re: /^\/leads$/, nav: 'households', load: () => leads, render: 'renderLeads',
//     data: (me) => ['/api/v1/leads'] },
// `load` gives the page's module: a module imported here is part of the console's bundle (one
// file, scripts/build-web.sh); a rarely opened page (the reports) is `() => import('./pages/x.js')`
// instead, a lazily loaded chunk, so no other page waits for its code;
// `render` is the function the module exports, called as render(view, ctx, ...captures);
// `data` (optional) lists the GET calls the page makes first, given the signed-in user (the
// session's `me`) and the route's captures: boot.js
// starts them before any page code has loaded, and the page's own get() of the same path takes
// that answer (api.js). `nav` is the menu entry the page belongs to (index.html's data-route).
import * as tasks from './pages/tasks.js';
import * as lists from './pages/lists.js';
import * as casePage from './pages/case.js';
import * as household from './pages/household.js';
import * as leads from './leads.js';

export const routes = [
  { re: /^\/tasks$/, nav: 'tasks', load: () => tasks, render: 'renderTasks',
    data: (me) => ['/api/v1/tasks'] },
  { re: /^\/done$/, nav: 'tasks', load: () => lists, render: 'renderDone',
    data: (me) => ['/api/v1/me/done'] },
  { re: /^\/started$/, nav: 'tasks', load: () => lists, render: 'renderStarted',
    data: (me) => ['/api/v1/me/started'] },
  { re: /^\/copied$/, nav: 'tasks', load: () => lists, render: 'renderCopied',
    data: (me) => ['/api/v1/me/copied'] },
  { re: /^\/cases\/([^/]+)$/, nav: 'tasks', load: () => casePage, render: 'renderCase',
    data: (me, id) => [`/api/v1/cases/${encodeURIComponent(id)}`, `/api/v1/cases/${encodeURIComponent(id)}/history`] },
  { re: /^\/households\/([^/]+)$/, nav: 'households', load: () => household,
    render: 'renderHousehold',
    data: (me, id) => [`/api/v1/households/${encodeURIComponent(id)}`, `/api/v1/households/${encodeURIComponent(id)}/tasks`] },
  { re: /^\/households$/, nav: 'households', load: () => household, render: 'renderHouseholdSearch' },
  { re: /^\/overdue$/, nav: 'overdue', load: () => import('./pages/reports.js'), render: 'renderOverdue',
    data: (me) => [`/api/v1/reports/overdue?org=${encodeURIComponent(me.org || '')}`] },
  { re: /^\/stats$/, nav: 'stats', load: () => import('./pages/reports.js'), render: 'renderStats',
    data: (me) => [`/api/v1/reports/monitoring?org=${encodeURIComponent(me.org || '')}`] },
  { re: /^\/leads$/, nav: 'leads', load: () => leads, render: 'renderLeads' },
  { re: /^\/reports\/weekly\?org=([^&]+)&week=([0-9-]+)$/, nav: 'stats', load: () => import('./pages/reports.js'),
    render: 'renderWeekly' },
];

export const kDefaultPath = '/tasks';

// The path of the address's hash ('/tasks' when there is none).
export function currentPath() {
  return (location.hash || '').replace(/^#/, '') || kDefaultPath;
}

// {route, args} for a path, or null.
export function findRoute(path) {
  for (const route of routes) {
    const m = path.match(route.re);
    if (m) return { route, args: m.slice(1).map(decodeURIComponent) };
  }
  return null;
}
