#!/usr/bin/env node
// Where does parsing a question file spend its time and memory? Runs parseQuestionFile (dist/) once on FILE under the
// V8 CPU profiler and the sampling heap profiler (node:inspector), and prints the functions with the most self time
// and the allocation sites with the most bytes allocated (collected or not), plus peak RSS.
//
//   node bench/bank-import/profile-parse.mjs FILE [--top 20] [--app DIR]
//   (generate inputs with: node bench/bank-import/generate.mjs --out /tmp/bench-inputs)
import { Session } from 'node:inspector/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const file = argv.find((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--')));
if (!file) {
  console.error('usage: node bench/bank-import/profile-parse.mjs FILE [--top 20] [--app DIR]');
  process.exit(2);
}
const TOP = Number(opt('top', '20'));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const app = resolve(opt('app', root));
const require = createRequire(import.meta.url);
const { parseQuestionFile } = require(join(app, 'dist/src/modules/question-banks/formats/parse-file.js'));

const where = (cf) => {
  const url = cf.url ? relative(app, cf.url.replace(/^file:\/\//, '')) : '(native)';
  return `${cf.functionName || '(anonymous)'}  ${url}:${cf.lineNumber + 1}`;
};

const content = readFileSync(file);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('HeapProfiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 32768,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
await session.post('Profiler.start');
const rssBefore = process.resourceUsage().maxRSS;
const t0 = performance.now();
const result = parseQuestionFile(file, content);
const elapsed = performance.now() - t0;
const rssAfter = process.resourceUsage().maxRSS;
const { profile } = await session.post('Profiler.stop');
const { profile: heap } = await session.post('HeapProfiler.stopSampling');
session.disconnect();

console.log(
  `${file}: ${result.format}, ${result.questions.length} questions, ${result.errors.length} errors, ${result.warnings.length} warnings`,
);
console.log(
  `parse ${Math.round(elapsed)} ms (under the profilers); peak RSS ${Math.round(rssBefore / 1024)} → ${Math.round(rssAfter / 1024)} MB\n`,
);

// CPU: self time per function
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let k = 0; k < profile.samples.length; k++) {
  const node = byId.get(profile.samples[k]);
  const key = where(node.callFrame);
  self.set(key, (self.get(key) ?? 0) + (dt[k] ?? 0) / 1000);
}
const totalMs = [...self.values()].reduce((a, b) => a + b, 0);
console.log(`CPU self time (top ${TOP} of ${Math.round(totalMs)} ms sampled):`);
for (const [key, t] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(
    `  ${String(Math.round(t)).padStart(6)} ms  ${((100 * t) / totalMs).toFixed(1).padStart(5)}%  ${key}`,
  );
}

// Heap: bytes allocated per allocation site (self), including objects already collected
const alloc = new Map();
const walk = (node) => {
  if (node.selfSize) {
    const key = where(node.callFrame);
    alloc.set(key, (alloc.get(key) ?? 0) + node.selfSize);
  }
  for (const c of node.children) walk(c);
};
walk(heap.head);
const totalBytes = [...alloc.values()].reduce((a, b) => a + b, 0);
console.log(
  `\nJS heap allocated by site (top ${TOP} of ${Math.round(totalBytes / 1048576)} MB sampled; excludes Buffers/ArrayBuffers):`,
);
for (const [key, bytes] of [...alloc.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
  console.log(`  ${String(Math.round(bytes / 1048576)).padStart(6)} MB  ${key}`);
}
