// dixian:lazy: loaded when a report page opens, not preloaded (scripts/build-web.sh).
// The report pages, rarely opened and the only ones that draw charts: one lazily loaded chunk for
// all of them in the bundle, so the other pages share one file and the reports one more.
export { renderOverdue } from './overdue.js';
export { renderStats } from './stats.js';
export { renderWeekly } from './weekly.js';
