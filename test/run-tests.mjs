#!/usr/bin/env node
// `npm test`: every test layer (unit, integration + HTTP, browser) against the real Postgres and
// Redis, each test file in its own fresh database. Ends with one plain line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`tests: ${chromium} is missing; install it with: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  process.exit(1);
}
const out = join(mkdtempSync(join(tmpdir(), 'pa-jest-')), 'results.json');
const run = spawnSync(
  process.execPath,
  ['node_modules/jest/bin/jest.js', '--maxWorkers=2', '--json', `--outputFile=${out}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
let passed = 0;
let failed = 0;
if (existsSync(out)) {
  const results = JSON.parse(readFileSync(out, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
}
if (passed + failed === 0 && run.status === 0) failed = 1; // no test ran: that is a failure
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
