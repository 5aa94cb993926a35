#!/usr/bin/env node
// Bank-import benchmark: a generated 10,000-question GIFT file and a 10,000-item QTI 3.0 package, each imported into an
// empty bank through the real CLI (`node dist/src/cli.js bank:import FILE --bank NAME`, a child process: wall time and
// peak RSS), side by side with a `COPY … FROM STDIN` (psql \copy) of the very rows that import wrote, into the same
// (emptied) tables in the same run — the ceiling. Plus parse-only time in-process and a phase split of the import
// (boot / parse / SQL / JS) from bench/bank-import/import-child.cjs. See bench/bank-import/README.md.
//
//   node bench/bank-import/run.mjs [--count 10000] [--runs 3] [--seed 42] [--keep] [--no-build] [--app DIR]
//                                  [--no-wait | --max-wait 90] [--out FILE]
//
// Env: BENCH_PG_URL (server, default postgres://postgres@127.0.0.1:5432), REDIS_URL (default redis://127.0.0.1:6379).
// Writes bench/results/bank-import.json (--out FILE to write elsewhere). Creates database pa_bench_<timestamp> and drops it at the end.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateQuestions, toGift, toQtiPackage } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const require = createRequire(import.meta.url);

// ---- options -------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const COUNT = Number(opt('count', '10000'));
const RUNS = Math.max(1, Number(opt('runs', '3')));
const SEED = Number(opt('seed', '42'));
const KEEP = argv.includes('--keep');
const BUILD = !argv.includes('--no-build');
// --app DIR: measure the build of another checkout (e.g. a branch in a git worktree); default: this repository.
const APP = resolve(opt('app', root));
const dist = join(APP, 'dist');
const TARGET = { importSeconds: 15, peakRssMB: 400, copyRatio: 10 };
const SERVER = new URL(process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432');
const urlOf = (database) => Object.assign(new URL(SERVER), { pathname: `/${database}` }).toString();
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
// Before each timed step, wait (at most --max-wait seconds) until the machine is quiet: other work on a shared box
// (builds, test runs) would otherwise land in the figures. --no-wait disables it.
const WAIT = !argv.includes('--no-wait') && existsSync('/proc/stat');
const MAX_WAIT_S = Number(opt('max-wait', '90'));
const QUIET_BUSY = 0.25; // busy share of all CPUs over one second

const log = (...a) => console.error('[bench]', ...a);
const ms = (t) => Math.round(t);
const sec = (t) => (t / 1000).toFixed(2);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- build ---------------------------------------------------------------------------------------
if (BUILD) {
  log('node scripts/build-if-needed.mjs');
  const b = spawnSync(process.execPath, [join(APP, 'scripts/build-if-needed.mjs')], {
    cwd: APP,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (b.status !== 0) {
    if (!existsSync(join(dist, 'src/cli.js'))) {
      log('the build failed and dist/src/cli.js does not exist: fix the build first');
      process.exit(1);
    }
    log(
      'WARNING: the build reported errors (tsc still emitted dist/); the figures are for the code in dist/ as emitted',
    );
  }
}
const { Client } = require('pg');
const { runMigrations } = require(join(dist, 'src/infra/database/data-source.js'));
const { parseQuestionFile } = require(join(dist, 'src/modules/question-banks/formats/parse-file.js'));

// ---- helpers -------------------------------------------------------------------------------------
/** Runs a child to completion; wall time measured here, peak RSS from /usr/bin/time (if present) and the -r hook. */
function runMeasured(args, env, label) {
  const work = mkdtempSync(join(tmpdir(), 'pa-bench-child-'));
  const timeFile = join(work, 'time.txt');
  const rssFile = join(work, 'rss.json');
  const nodeArgs = ['-r', join(here, 'rss-hook.cjs'), ...args];
  const [cmd, cmdArgs] = TIME_BIN
    ? [TIME_BIN, ['-f', '%e %M %U %S', '-o', timeFile, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, cmdArgs, {
      cwd: APP,
      env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const hook = existsSync(rssFile) ? JSON.parse(readFileSync(rssFile, 'utf8')) : null;
      let timeRssKiB = null;
      let cpuMs = hook ? hook.cpuMs : null;
      if (TIME_BIN && existsSync(timeFile)) {
        const m = /([\d.]+) (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
        if (m) {
          timeRssKiB = Number(m[2]);
          cpuMs = Math.round((Number(m[3]) + Number(m[4])) * 1000);
        }
      }
      rmSync(work, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`${label} exited with ${code}\n${stderr}\n${stdout}`));
      const peakKiB = timeRssKiB ?? hook?.maxRssKiB ?? null;
      resolvePromise({
        wallMs,
        cpuMs,
        stdout,
        stderr,
        peakRssMB: peakKiB === null ? null : Math.round((peakKiB / 1024) * 10) / 10,
        hook,
        timeRssKiB,
      });
    });
  });
}

function psql(dbUrl, script, label) {
  const t0 = performance.now();
  const r = spawnSync('psql', [dbUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    input: script,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`psql (${label}) failed: ${r.stderr || r.stdout}`);
  const timings = [...r.stdout.matchAll(/Time: ([\d.]+) ms/g)].map((m) => Number(m[1]));
  return { wallMs, timings, stdout: r.stdout };
}

/** sha256 over the sources the import runs (question-banks module, migrations): ties the figures to a tree state. */
function sourceFingerprint() {
  const hash = createHash('sha256');
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) hash.update(p.slice(APP.length)).update(readFileSync(p));
    }
  };
  for (const d of ['src/modules/question-banks', 'src/infra', 'migrations']) walk(join(APP, d));
  return hash.digest('hex').slice(0, 16);
}

function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] || 0);
  return { idle, total: f.reduce((a, b) => a + b, 0) };
}
const sleep = (t) => new Promise((r) => setTimeout(r, t));
/** Waits until the CPUs were ≤ QUIET_BUSY busy over one second (or MAX_WAIT_S passed); returns that busy share. */
async function waitForQuiet(label) {
  if (!WAIT) return null;
  const start = Date.now();
  let busy = 1;
  let told = false;
  for (;;) {
    const a = cpuTimes();
    await sleep(1000);
    const b = cpuTimes();
    busy = 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
    if (busy <= QUIET_BUSY) break;
    if (Date.now() - start > MAX_WAIT_S * 1000) {
      log(
        `WARNING: machine still ${Math.round(busy * 100)}% busy after ${MAX_WAIT_S} s; measuring ${label} anyway`,
      );
      break;
    }
    if (!told) log(`waiting for a quiet machine before ${label} (CPUs ${Math.round(busy * 100)}% busy)…`);
    told = true;
  }
  return Math.round(busy * 100) / 100;
}

async function withDb(url, fn) {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const ROWS_CHECK = `
  SELECT (SELECT count(*) FROM questions)::int AS questions,
         (SELECT count(*) FROM question_versions)::int AS versions,
         (SELECT md5(string_agg(q::text, '|' ORDER BY q.id)) FROM questions q) AS questions_md5,
         (SELECT md5(string_agg(v::text, '|' ORDER BY v.id)) FROM question_versions v) AS versions_md5,
         (SELECT pg_size_pretty(sum(pg_column_size(content))) FROM question_versions) AS jsonb_size`;

// ---- main ----------------------------------------------------------------------------------------
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dbName = `pa_bench_${stamp}`;
const dbUrl = urlOf(dbName);
const adminUrl = urlOf('postgres');
const workDir = mkdtempSync(join(tmpdir(), 'pa-bench-bank-import-'));
const results = {
  benchmark: 'bank-import',
  date: new Date().toISOString(),
  count: COUNT,
  runs: RUNS,
  seed: SEED,
  targets: TARGET,
  environment: {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    app: APP,
    sourceFingerprint: sourceFingerprint(),
    git:
      spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: APP, encoding: 'utf8' }).stdout?.trim() ||
      null,
    gitDirty:
      (spawnSync('git', ['status', '--porcelain'], { cwd: APP, encoding: 'utf8' }).stdout || '').trim()
        .length > 0,
    loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    peakRssSource: TIME_BIN
      ? '/usr/bin/time (%M, ru_maxrss of the child)'
      : 'process.resourceUsage().maxRSS in the child (rss-hook.cjs)',
  },
  inputs: [],
};

let created = false;
if (loadavg()[0] > 1)
  log(
    `WARNING: load average ${loadavg()[0].toFixed(2)} on ${cpus().length} CPU(s): other work is running, timings will be noisy`,
  );
try {
  // 1. inputs
  log(`generating ${COUNT} questions (seed ${SEED}) in ${workDir}`);
  let t = performance.now();
  let bank = generateQuestions(COUNT, SEED);
  const genMs = performance.now() - t;
  t = performance.now();
  const giftFile = join(workDir, `bench-${COUNT}.gift`);
  writeFileSync(giftFile, toGift(bank));
  const giftMs = performance.now() - t;
  t = performance.now();
  const qti = toQtiPackage(bank, dist);
  const qtiFile = join(workDir, `bench-${COUNT}.qti3.zip`);
  writeFileSync(qtiFile, qti.content);
  const qtiMs = performance.now() - t;
  if (qti.warnings.length) log('QTI export warnings:', qti.warnings);
  const typeMix = {};
  for (const q of bank.questions) typeMix[q.content.type] = (typeMix[q.content.type] ?? 0) + 1;
  bank = null; // not needed any more: keep this process small for the in-process parse timings
  results.generation = { questionsMs: ms(genMs), giftMs: ms(giftMs), qtiMs: ms(qtiMs), typeMix };
  const inputs = [
    { name: 'GIFT', file: giftFile, bank: 'bench-gift' },
    { name: 'QTI 3.0 package', file: qtiFile, bank: 'bench-qti' },
  ];
  for (const input of inputs) input.bytes = statSync(input.file).size;

  // 2. parse only, in this process (cold first run, then the best of the rest)
  for (const input of inputs) {
    const content = readFileSync(input.file);
    const times = [];
    let parsed;
    for (let i = 0; i < RUNS; i++) {
      await waitForQuiet(`${input.name} parse`);
      const t0 = performance.now();
      parsed = parseQuestionFile(input.file, content);
      times.push(performance.now() - t0);
    }
    if (parsed.questions.length !== COUNT || parsed.errors.length) {
      throw new Error(
        `${input.name}: parsed ${parsed.questions.length} questions, ${parsed.errors.length} errors: ${JSON.stringify(parsed.errors.slice(0, 3))}`,
      );
    }
    input.parse = {
      format: parsed.format,
      questions: parsed.questions.length,
      warnings: parsed.warnings.length,
      samplesMs: times.map(ms),
      firstMs: ms(times[0]),
      medianMs: ms(median(times)),
      bestMs: ms(Math.min(...times)),
    };
    log(
      `${input.name}: ${(input.bytes / 1048576).toFixed(1)} MB, parse ${input.parse.samplesMs.join(' / ')} ms`,
    );
    parsed = null;
  }

  // 3. fresh database
  await withDb(adminUrl, async (c) => {
    await c.query(`CREATE DATABASE "${dbName}"`);
    created = true;
    results.environment.postgres = (await c.query('SELECT version()')).rows[0].version;
    const settings = await c.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('shared_buffers', 'wal_level', 'synchronous_commit', 'fsync', 'max_wal_size', 'work_mem')`,
    );
    results.environment.postgresSettings = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
  });
  t = performance.now();
  await runMigrations(dbUrl);
  log(`database ${dbName} created and migrated in ${ms(performance.now() - t)} ms`);
  const reset = () =>
    withDb(dbUrl, (c) =>
      c.query('TRUNCATE question_banks, questions, question_versions CASCADE; CHECKPOINT'),
    );
  const childEnv = {
    DATABASE_URL: dbUrl,
    REDIS_URL,
    QUEUE_PREFIX: `pa-bench-${stamp}`,
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    BENCH_DIST: dist,
  };

  // 4. import through the CLI vs COPY of the same rows, RUNS times per input
  for (const input of inputs) {
    input.samples = [];
    for (let run = 1; run <= RUNS; run++) {
      await reset();
      const busyBeforeImport = await waitForQuiet(`${input.name} import`);
      const imp = await runMeasured(
        [join(dist, 'src/cli.js'), 'bank:import', input.file, '--bank', input.bank],
        childEnv,
        `bank:import ${input.name}`,
      );
      const summaryLine = imp.stdout.trim().split('\n').pop();
      if (!summaryLine.startsWith(`${COUNT} new`))
        throw new Error(`${input.name}: unexpected CLI output: ${imp.stdout}\n${imp.stderr}`);
      const imported = await withDb(dbUrl, (c) => c.query(ROWS_CHECK).then((r) => r.rows[0]));
      if (imported.questions !== COUNT || imported.versions !== COUNT)
        throw new Error(`${input.name}: ${JSON.stringify(imported)}`);

      // The ceiling: the rows the import wrote, exported (not timed), tables emptied, and COPY'd back in one transaction
      // (same tables, indexes, FKs incl. the deferred current_version FK, trigger; same jsonb).
      const qFile = join(workDir, 'questions.copy');
      const vFile = join(workDir, 'question_versions.copy');
      psql(dbUrl, `\\copy questions TO '${qFile}'\n\\copy question_versions TO '${vFile}'\n`, 'dump');
      await withDb(dbUrl, (c) => c.query('TRUNCATE questions, question_versions CASCADE; CHECKPOINT'));
      const busyBeforeCopy = await waitForQuiet(`${input.name} COPY`);
      const copy = psql(
        dbUrl,
        `\\timing on\nBEGIN;\n\\copy questions FROM '${qFile}'\n\\copy question_versions FROM '${vFile}'\nCOMMIT;\n`,
        'copy',
      );
      const copied = await withDb(dbUrl, (c) => c.query(ROWS_CHECK).then((r) => r.rows[0]));
      if (copied.questions_md5 !== imported.questions_md5 || copied.versions_md5 !== imported.versions_md5)
        throw new Error(`${input.name}: COPY did not reproduce the imported rows`);
      const [beginMs, copyQuestionsMs, copyVersionsMs, commitMs] = copy.timings;
      const copyMs = copy.timings.reduce((a, b) => a + b, 0);
      const sample = {
        run,
        importWallMs: ms(imp.wallMs),
        importCpuMs: imp.cpuMs,
        importPeakRssMB: imp.peakRssMB,
        hookPeakRssMB: imp.hook ? Math.round((imp.hook.maxRssKiB / 1024) * 10) / 10 : null,
        copyMs: ms(copyMs),
        copySplitMs: {
          begin: beginMs,
          questions: copyQuestionsMs,
          versions: copyVersionsMs,
          commit: commitMs,
        },
        copyPsqlWallMs: ms(copy.wallMs),
        ratio: Math.round((imp.wallMs / copyMs) * 10) / 10,
        copyFileMB: Math.round(((statSync(qFile).size + statSync(vFile).size) / 1048576) * 10) / 10,
        jsonbSize: imported.jsonb_size,
        cliSummary: summaryLine,
        cpuBusyBefore: { import: busyBeforeImport, copy: busyBeforeCopy },
      };
      input.samples.push(sample);
      log(
        `${input.name} run ${run}/${RUNS}: import ${sec(sample.importWallMs)} s (CPU ${sec(sample.importCpuMs)} s), peak RSS ${sample.importPeakRssMB} MB; COPY ${sec(sample.copyMs)} s (q ${ms(copyQuestionsMs)} / v ${ms(copyVersionsMs)} / commit ${ms(commitMs)} ms)`,
      );
    }
    // 5. phase split, RUNS times: boot / parse / write, SQL per statement (medians; statements of the median run)
    const splits = [];
    for (let run = 1; run <= RUNS; run++) {
      await reset();
      await waitForQuiet(`${input.name} phase split`);
      const split = await runMeasured(
        [join(here, 'import-child.cjs'), input.file, input.bank],
        childEnv,
        `import-child ${input.name}`,
      );
      const one = JSON.parse(split.stdout.trim().split('\n').pop());
      one.childWallMs = ms(split.wallMs);
      one.childPeakRssMB = split.peakRssMB;
      splits.push(one);
      log(
        `${input.name} split ${run}/${RUNS}: boot ${one.bootMs} ms, parse ${one.parseMs} ms, write ${one.writeMs} ms (SQL ${one.sqlMs} ms, JS ${one.writeJsMs} ms), peak RSS ${split.peakRssMB} MB`,
      );
    }
    const med = (f) => ms(median(splits.map(f)));
    const byTotal = [...splits].sort((a, b) => a.parseMs + a.writeMs - (b.parseMs + b.writeMs));
    const representative = byTotal[Math.floor((byTotal.length - 1) / 2)];
    const peakOf = (k) => Math.max(...splits.map((x) => x[k].peakRssMB));
    input.split = {
      runs: splits.length,
      bootMs: med((x) => x.bootMs),
      parseMs: med((x) => x.parseMs),
      writeMs: med((x) => x.writeMs),
      sqlMs: med((x) => x.sqlMs),
      writeJsMs: med((x) => x.writeJsMs),
      afterBoot: { peakRssMB: peakOf('afterBoot') },
      afterParse: { peakRssMB: peakOf('afterParse') },
      afterWrite: { peakRssMB: peakOf('afterWrite') },
      sql: representative.sql,
      samples: splits,
    };

    const importMs = median(input.samples.map((s) => s.importWallMs));
    const copyMs = median(input.samples.map((s) => s.copyMs));
    const peak = Math.max(...input.samples.map((s) => s.importPeakRssMB));
    // The verdict pairs each import with the COPY of the same run (same machine state), then takes the median.
    const ratio = median(input.samples.map((s) => s.importWallMs / s.copyMs));
    input.result = {
      ratioOfMedians: Math.round((importMs / copyMs) * 10) / 10,
      importMedianMs: importMs,
      importCpuMedianMs: median(input.samples.map((s) => s.importCpuMs)),
      copyMedianMs: copyMs,
      peakRssMaxMB: peak,
      ratio: Math.round(ratio * 10) / 10,
      pass: {
        time: importMs < TARGET.importSeconds * 1000,
        memory: peak < TARGET.peakRssMB,
        ratio: ratio <= TARGET.copyRatio,
      },
    };
  }
  results.inputs = inputs.map(({ name, file, bank: b, bytes, parse, samples, split, result }) => ({
    name,
    file: file.replace(workDir, '$TMP'),
    bank: b,
    bytes,
    parse,
    samples,
    split,
    result,
  }));

  // 6. report
  const pf = (ok) => (ok ? 'PASS' : 'FAIL');
  const rows = results.inputs.map((i) => [
    i.name,
    String(i.parse.questions),
    `${(i.bytes / 1048576).toFixed(1)} MB`,
    `${sec(i.parse.medianMs)} s`,
    `${sec(i.result.importMedianMs)} s`,
    `${i.result.peakRssMaxMB} MB`,
    `${sec(i.result.copyMedianMs)} s`,
    `${i.result.ratio}×`,
    `${pf(i.result.pass.time)} ${pf(i.result.pass.memory)} ${pf(i.result.pass.ratio)}`,
  ]);
  const head = [
    'input',
    'questions',
    'file',
    'parse only',
    'import (CLI)',
    'peak RSS',
    'COPY',
    'import/COPY (per run)',
    `<${TARGET.importSeconds}s <${TARGET.peakRssMB}MB ≤${TARGET.copyRatio}×`,
  ];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells) => '| ' + cells.map((c, k) => c.padEnd(widths[k])).join(' | ') + ' |';
  const table = [
    line(head),
    '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
    ...rows.map(line),
  ].join('\n');
  const splitHead = [
    'input',
    'boot',
    'parse',
    'write',
    'write: SQL',
    'write: JS',
    '(parse+write)/COPY',
    'write/COPY',
    'peak RSS after boot / parse / write',
  ];
  const splitRows = results.inputs.map((i) => [
    i.name,
    `${sec(i.split.bootMs)} s`,
    `${sec(i.split.parseMs)} s`,
    `${sec(i.split.writeMs)} s`,
    `${sec(i.split.sqlMs)} s`,
    `${sec(i.split.writeJsMs)} s`,
    `${((i.split.parseMs + i.split.writeMs) / i.result.copyMedianMs).toFixed(1)}×`,
    `${(i.split.writeMs / i.result.copyMedianMs).toFixed(1)}×`,
    `${i.split.afterBoot.peakRssMB} / ${i.split.afterParse.peakRssMB} / ${i.split.afterWrite.peakRssMB} MB`,
  ]);
  const sw = splitHead.map((h, k) => Math.max(h.length, ...splitRows.map((r) => r[k].length)));
  const sline = (cells) => '| ' + cells.map((c, k) => c.padEnd(sw[k])).join(' | ') + ' |';
  const splitTable = [
    sline(splitHead),
    '|' + sw.map((w) => '-'.repeat(w + 2)).join('|') + '|',
    ...splitRows.map(sline),
  ].join('\n');
  results.table = table;
  results.splitTable = splitTable;
  console.log(
    `\nbank import, ${COUNT} questions, median of ${RUNS} run(s) (peak RSS: max of the runs; ratio: median of each run's import/COPY) — node ${process.version}, ${cpus().length} CPU(s)\n`,
  );
  console.log(table);
  console.log(
    `\nphase split (bench/bank-import/import-child.cjs: same service code, in-process timers; medians of ${RUNS} run(s), peak RSS: max):\n`,
  );
  console.log(splitTable);
  for (const i of results.inputs) {
    console.log(`\n${i.name}: SQL statements of the write phase (the median split run)`);
    for (const s of i.split.sql)
      console.log(
        `  ${String(s.ms).padStart(6)} ms  ${String(s.calls).padStart(3)}×  ${String(s.paramMB).padStart(5)} MB params  ${s.statement}`,
      );
  }
  results.environment.loadavgAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  const out = resolve(opt('out', join(root, 'bench/results/bank-import.json')));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
  const allPass = results.inputs.every(
    (i) => i.result.pass.time && i.result.pass.memory && i.result.pass.ratio,
  );
  console.log(allPass ? 'all targets met' : 'TARGETS MISSED (see FAIL above)');
  process.exitCode = allPass ? 0 : 3;
} catch (e) {
  console.error(e instanceof Error ? e.stack : String(e));
  process.exitCode = 1;
} finally {
  if (created) {
    await withDb(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)).catch((e) =>
      log(`could not drop ${dbName}: ${e.message}`),
    );
    log(`dropped ${dbName}`);
  }
  if (KEEP) log(`inputs kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
}
