// Baseline for docs/benchmarks.md: N instances of the 4-step chain on bpmn-engine, run to completion.
//   node run.js --instances 2000 --mode memory    (engine only, nothing persisted)
//   node run.js --instances 2000 --mode fsync     (getState() JSON written and fsync'd at every step,
//                                                  as a user of the library must do to survive a crash)
//   --dir DIR  where fsync mode writes its state files (default ../out/bpmn-state)
// Prints one JSON line: {"bench":"bpmn_engine","mode":...,"instances":...,"steps":...,"seconds":...,
// "instances_per_s":...,"steps_per_s":...}. Instances run one after another (one Node thread).
import { Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import BpmnModdle from 'bpmn-moddle';
import serializer, { TypeResolver } from 'moddle-context-serializer';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = fs.readFileSync(path.join(here, 'elimination_chain.bpmn'), 'utf8');
// The definition is parsed once and its serialized context shared by every instance, as a server
// would do; parsing the XML per instance would cost more than running it.
const sourceContext = serializer(await new BpmnModdle().fromXML(source), TypeResolver({ ...Elements }));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// Durable write of one instance's state, the way an application would: write, fsync, rename.
function persist(dir, id, state) {
  const file = path.join(dir, `${id}.json`);
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  fs.writeSync(fd, JSON.stringify(state));
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

async function runInstance(id, mode, dir) {
  const engine = new Engine({ name: `case-${id}`, sourceContext, variables: { household: `H${id}` } });
  const listener = new EventEmitter();
  let steps = 0;
  listener.on('wait', async (task) => {
    if (mode === 'fsync') persist(dir, id, await engine.getState());
    steps += 1;
    task.signal({ decision: 'approve', actor: `user-${task.id}` });
  });
  const ended = new Promise((resolve, reject) => {
    engine.once('end', resolve);
    engine.once('error', reject);
  });
  await engine.execute({ listener });
  await ended;
  if (mode === 'fsync') persist(dir, id, await engine.getState());
  return steps;
}

async function main() {
  const instances = Number(arg('instances', '1000'));
  const mode = arg('mode', 'memory');
  const dir = path.resolve(arg('dir', path.join(here, '..', 'out', 'bpmn-state')));
  if (!['memory', 'fsync'].includes(mode)) throw new Error(`unknown --mode ${mode}`);
  if (mode === 'fsync') {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
  }
  await runInstance('warmup', 'memory', dir);
  const t0 = process.hrtime.bigint();
  let steps = 0;
  for (let i = 0; i < instances; i += 1) steps += await runInstance(i, mode, dir);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (steps !== instances * 4) throw new Error(`expected ${instances * 4} steps, got ${steps}`);
  console.log(JSON.stringify({
    bench: 'bpmn_engine', mode, instances, steps, seconds: +seconds.toFixed(3),
    instances_per_s: +(instances / seconds).toFixed(1), steps_per_s: +(steps / seconds).toFixed(1),
  }));
}

main().catch((err) => { console.error(err); process.exit(1); });
