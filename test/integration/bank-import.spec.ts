import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase, dropDatabase } from '../support/db';

const run = promisify(execFile);

/** bank:import as a person runs it, against a fresh database. */
describe('bank:import command', () => {
  let db: { name: string; url: string };
  let pg: Client;
  const dir = mkdtempSync(join(tmpdir(), 'pa-banks-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg.end();
    await dropDatabase(db.name);
  });

  const cli = (...args: string[]) =>
    run('npm', ['run', '--silent', 'cli', '--', ...args], { env: { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'test' }, timeout: 180_000 });
  const count = async (sql: string, params: unknown[] = []) => Number((await pg.query(sql, params)).rows[0].n);

  it('imports the curriculum banks (≥ 200 new), and a second run creates nothing', async () => {
    const first = await cli('bank:import', 'question-banks/');
    expect(Number(/^(\d+) new/m.exec(first.stdout)![1])).toBeGreaterThanOrEqual(200);
    expect(first.stdout).toMatch(/^\d+ new, 0 changed, 0 unchanged/m);
    expect(first.stderr).toMatch(/\[1\/9\]/);
    const second = await cli('bank:import', 'question-banks/');
    expect(second.stdout).toMatch(/^0 new, 0 changed, \d+ unchanged/m);
    expect(await count(`SELECT count(*) AS n FROM question_versions WHERE version > 1`)).toBe(0);
    const perArea = (await pg.query(`SELECT tags[1] AS area, count(*)::int AS n FROM questions GROUP BY 1`)).rows as { area: string; n: number }[];
    expect(perArea).toHaveLength(9);
    for (const { n } of perArea) expect(n).toBeGreaterThanOrEqual(15);
  }, 240_000);

  it('refuses a bank file with a mistake on line N, naming line N, and imports nothing from it', async () => {
    const file = join(dir, 'broken.yaml');
    const good = readFileSync('question-banks/aipl.yaml', 'utf8').replace('bank: tmic-aipl', 'bank: broken-bank');
    const lines = good.split('\n');
    const at = lines.findIndex((l) => /^\s+difficulty: \d/.test(l));
    lines[at] = lines[at].replace(/difficulty: \d/, 'difficulty: 9');
    writeFileSync(file, lines.join('\n'));
    const failure = await cli('bank:import', file).then(
      () => null,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure).not.toBeNull();
    expect(failure!.code).toBe(1);
    expect(failure!.stderr).toContain(`${file}:${at + 1}:`);
    expect(await count(`SELECT count(*) AS n FROM question_banks WHERE name = 'broken-bank'`)).toBe(0);
  }, 240_000);

  it('keeps every version: a changed question gets version 2, unchanged ones stay', async () => {
    const file = join(dir, 'versions.gift');
    writeFileSync(file, '::q1:: AIPL 中的 A 代表？ {=认知 ~兴趣 ~购买}\n\n::q2:: FAST 中的 F 代表？ {=Fertility ~Fast}\n');
    expect((await cli('bank:import', file, '--bank', 'versioned')).stdout).toMatch(/^2 new, 0 changed/m);
    writeFileSync(file, '::q1:: AIPL 中的 A 代表什么？ {=认知 ~兴趣 ~购买}\n\n::q2:: FAST 中的 F 代表？ {=Fertility ~Fast}\n');
    const dry = await cli('bank:import', file, '--bank', 'versioned', '--dry-run');
    expect(dry.stdout).toMatch(/^dry run \(nothing written\): 0 new, 1 changed, 1 unchanged/m);
    expect(await count(`SELECT count(*) AS n FROM question_versions v JOIN questions q ON q.id = v.question_id WHERE q.external_id = 'q1'`)).toBe(1);
    expect((await cli('bank:import', file, '--bank', 'versioned')).stdout).toMatch(/^0 new, 1 changed, 1 unchanged/m);
    const versions = (await pg.query(`SELECT v.version, v.content->'stem'->>'zh-CN' AS stem FROM question_versions v JOIN questions q ON q.id = v.question_id WHERE q.external_id = 'q1' ORDER BY v.version`)).rows;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions[0].stem).toBe('AIPL 中的 A 代表？');
    await expect(pg.query(`UPDATE question_versions SET note = 'x'`)).rejects.toThrow(/immutable/);
  }, 240_000);

  it('exports a bank as YAML, QTI 3.0 and GIFT, and the YAML imports back unchanged', async () => {
    const yamlOut = join(dir, 'aipl-export.yaml');
    await cli('bank:export', '--bank', 'tmic-aipl', '--format', 'yaml', '--out', yamlOut);
    expect(readFileSync(yamlOut, 'utf8')).toContain('bank: tmic-aipl');
    expect((await cli('bank:import', yamlOut)).stdout).toMatch(/^0 new, 0 changed, 25 unchanged/m);
    const qti = join(dir, 'aipl.zip');
    await cli('bank:export', '--bank', 'tmic-aipl', '--format', 'qti3', '--out', qti);
    expect(readFileSync(qti).subarray(0, 2).toString()).toBe('PK');
    expect((await cli('bank:import', qti, '--bank', 'aipl-from-qti')).stdout).toMatch(/^2\d new/m);
    const gift = join(dir, 'aipl.gift');
    const giftExport = await cli('bank:export', '--bank', 'tmic-aipl', '--format', 'gift', '--out', gift);
    expect(readFileSync(gift, 'utf8')).toContain('// [id:aipl-001]');
    // GIFT has no ordering type and one blank per question: those are named, not silently lost.
    const skipped = giftExport.stderr.match(/skipped aipl-\d+/g) ?? [];
    expect(skipped.length).toBe(3);
    expect((await cli('bank:import', gift, '--bank', 'aipl-from-gift')).stdout).toMatch(new RegExp(`^${25 - skipped.length} new`, 'm'));
    await expect(cli('bank:export', '--bank', 'tmic-aipl', '--format', 'pdf', '--out', gift)).rejects.toMatchObject({ stderr: expect.stringContaining('--format must be one of') });
  }, 240_000);
});
