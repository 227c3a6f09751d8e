// Every action the engine can write into a history has a Chinese word in the console (issue 19:
// the timeline showed the system's `overdue` as it is stored). The actions are collected from
// the sources, so an action added later without a word in web/js/labels.js fails here:
//   - audit events made with EventBy(who, household, "name") anywhere under engine/,
//   - string literals assigned to an event's action (`ev.action = ... "overdue" : "escalate"`),
//   - the engine's named action constants (`kNoticePassedAction[] = "notice_passed"`),
//   - every action a workflow in workflows/*.json declares.
// Run: node --test tests/web/labels.test.mjs (ctest web_labels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { ACTIONS, label } = await import(path.join(repo, 'web/js/labels.js'));

function sourcesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.(cc|h)$/.test(entry.name) && !/_test\.cc$/.test(entry.name)) out.push(p);
  }
  return out;
}

function engineActions() {
  const found = new Map();  // action -> where
  const note = (name, where) => { if (!found.has(name)) found.set(name, where); };
  for (const file of sourcesUnder(path.join(repo, 'engine'))) {
    const text = fs.readFileSync(file, 'utf8');
    const where = path.relative(repo, file);
    for (const m of text.matchAll(/EventBy\([^;]*?,\s*"([a-z_]+)"\s*\)/g)) note(m[1], where);
    for (const m of text.matchAll(/\.action\s*=\s*([^;]*);/g)) {
      for (const lit of m[1].matchAll(/"([a-z_]+)"/g)) note(lit[1], where);
    }
    for (const m of text.matchAll(/k\w*Action\w*\[\]\s*=\s*"([a-z_]+)"/g)) note(m[1], where);
  }
  return found;
}

function workflowActions() {
  const found = new Map();
  const dir = path.join(repo, 'workflows');
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const walk = (x) => {
      if (Array.isArray(x)) return x.forEach(walk);
      if (!x || typeof x !== 'object') return;
      for (const [k, v] of Object.entries(x)) {
        if (k === 'actions' && v && typeof v === 'object' && !Array.isArray(v)) {
          for (const a of Object.keys(v)) if (!found.has(a)) found.set(a, `workflows/${name}`);
        }
        walk(v);
      }
    };
    walk(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
  }
  return found;
}

const kChinese = /^[\u3400-\u9fff（）·、]+$/;

test('the scan finds the system actions the timeline showed untranslated', () => {
  const engine = engineActions();
  for (const a of ['overdue', 'escalate', 'notice_passed', 'urge', 'transfer', 'task_done', 'create'])
    assert.ok(engine.has(a), `the scan of engine/ finds ${a}`);
  assert.ok(workflowActions().has('approve'));
});

test('every action the engine or a workflow can record has a Chinese word', () => {
  const missing = [];
  for (const [action, where] of [...engineActions(), ...workflowActions()]) {
    const word = label(ACTIONS, action);
    if (!kChinese.test(word)) missing.push(`${action} (${where}) shows "${word}"`);
  }
  assert.deepEqual(missing, [], 'add these to ACTIONS in web/js/labels.js');
});

test('the timeline\'s words for the system actions', () => {
  assert.equal(label(ACTIONS, 'overdue'), '逾期');
  assert.equal(label(ACTIONS, 'escalate'), '逾期督办');
  assert.equal(label(ACTIONS, 'notice_passed'), '公示期满');
  assert.equal(label(ACTIONS, 'remind'), '到期提醒');
});
