// Phase split of one import, in its own process: boots the same Nest application context as the CLI
// (withAppContext: preflight, migrations check, AppModule), then times read → parse → write separately by calling
// parseQuestionFile and BankImportService.importBuffer(file, content, options, parsed) — the exact code the CLI runs,
// with the parse result handed in so that the write phase is measured alone. Every SQL statement typeorm sends is
// timed (PostgresQueryRunner.query, so COMMIT and its deferred FK check are included). Peak RSS is sampled after each
// phase (ru_maxrss is monotonic, so the phase where it jumps is where the peak happens).
//
// usage: DATABASE_URL=… node bench/bank-import/import-child.cjs FILE BANK   → one JSON line on stdout
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(process.env.BENCH_DIST || join(__dirname, '../../dist'), 'src');
require(require.resolve('reflect-metadata', { paths: [dist] }));
const [file, bank] = process.argv.slice(2);
if (!file || !bank) {
  console.error('usage: node bench/bank-import/import-child.cjs FILE BANK');
  process.exit(2);
}

const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;
const peakMB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const snapshot = () => {
  const m = process.memoryUsage();
  return {
    peakRssMB: peakMB(),
    rssMB: mb(m.rss),
    heapUsedMB: mb(m.heapUsed),
    externalMB: mb(m.external + m.arrayBuffers),
  };
};

// Time every statement typeorm sends, grouped by its first words.
const sql = new Map();
const { PostgresQueryRunner } = require(
  require.resolve('typeorm/driver/postgres/PostgresQueryRunner', { paths: [dist] }),
);
const original = PostgresQueryRunner.prototype.query;
let recording = false;
PostgresQueryRunner.prototype.query = async function (query, parameters, ...rest) {
  if (!recording) return original.call(this, query, parameters, ...rest);
  const key = String(query).replace(/\s+/g, ' ').trim().slice(0, 48);
  const paramBytes = (parameters ?? []).reduce(
    (n, p) => n + (typeof p === 'string' ? Buffer.byteLength(p) : 0),
    0,
  );
  const t = performance.now();
  try {
    return await original.call(this, query, parameters, ...rest);
  } finally {
    const e = sql.get(key) ?? { statement: key, calls: 0, ms: 0, paramMB: 0 };
    e.calls++;
    e.ms += performance.now() - t;
    e.paramMB += paramBytes / 1048576;
    sql.set(key, e);
  }
};

async function main() {
  const t0 = performance.now();
  const { withAppContext } = require(join(dist, 'infra/boot/app-context'));
  const { BankImportService } = require(join(dist, 'modules/question-banks/bank-import.service'));
  const { parseQuestionFile } = require(join(dist, 'modules/question-banks/formats/parse-file'));
  const { SYSTEM_ACTOR } = require(join(dist, 'modules/organisations/organisations.service'));
  const out = { file, bank };
  await withAppContext(async (app) => {
    out.bootMs = performance.now() - t0;
    out.afterBoot = snapshot();
    const service = app.get(BankImportService);
    let t = performance.now();
    const content = readFileSync(file);
    out.readMs = performance.now() - t;
    t = performance.now();
    const parsed = parseQuestionFile(file, content);
    out.parseMs = performance.now() - t;
    out.afterParse = snapshot();
    out.parsed = {
      questions: parsed.questions.length,
      errors: parsed.errors.length,
      warnings: parsed.warnings.length,
    };
    recording = true;
    t = performance.now();
    const summary = await service.importBuffer(
      file,
      content,
      { bank, actor: { ...SYSTEM_ACTOR, label: 'bench' } },
      parsed,
    );
    out.writeMs = performance.now() - t;
    recording = false;
    out.afterWrite = snapshot();
    out.summary = {
      new: summary.new,
      changed: summary.changed,
      unchanged: summary.unchanged,
      errors: summary.errors.length,
    };
  });
  out.totalMs = performance.now() - t0;
  out.sql = [...sql.values()]
    .map((e) => ({ ...e, ms: Math.round(e.ms), paramMB: Math.round(e.paramMB * 10) / 10 }))
    .sort((a, b) => b.ms - a.ms);
  out.sqlMs = out.sql.reduce((n, e) => n + e.ms, 0);
  out.writeJsMs = out.writeMs - out.sqlMs;
  out.peakRssMB = peakMB();
  for (const k of ['bootMs', 'readMs', 'parseMs', 'writeMs', 'writeJsMs', 'totalMs'])
    out[k] = Math.round(out[k]);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e instanceof Error ? e.stack : String(e));
    process.exit(1);
  },
);
