import { INestApplicationContext } from '@nestjs/common';
import { mkdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs, required, UsageError } from '../../infra/boot/args';
import { SYSTEM_ACTOR } from '../organisations/organisations.service';
import { BankImportService, formatIssue } from './bank-import.service';
import { EXPORT_FORMATS, ExportFormat } from './formats/export-types';
import { QuestionBanksService } from './question-banks.service';

export const BANK_IMPORT_USAGE = 'bank:import PATH... [--bank NAME] [--dry-run]';
export const BANK_EXPORT_USAGE = 'bank:export --bank NAME --format yaml|qti3|gift --out PATH [--language zh-CN|en]';

/** Imports files or folders; prints progress per file, every error as file:line:column, then a summary. */
export async function bankImport(app: INestApplicationContext, argv: string[]): Promise<number> {
  const { options, positional } = parseArgs(argv);
  if (!positional.length) throw new UsageError(`give at least one file or folder. Usage: ${BANK_IMPORT_USAGE}`);
  for (const p of positional) if (!existsSync(p)) throw new UsageError(`no such file or folder: ${p}`);
  const bank = options.get('bank');
  if (bank === true) throw new UsageError('--bank needs a name');
  const dryRun = options.has('dry-run');
  const totals = { new: 0, changed: 0, unchanged: 0, skipped: 0, failed: 0 };
  await app.get(BankImportService).importPaths(positional, { bank, dryRun, actor: { ...SYSTEM_ACTOR, label: 'cli' } }, (s, index, total) => {
    const head = `[${index + 1}/${total}] ${s.file} → ${s.bank} (${s.format})`;
    if (s.errors.length) {
      totals.failed++;
      process.stderr.write(`${head}: ${s.errors.length} error(s), nothing imported from this file\n`);
      for (const e of s.errors) process.stderr.write(`  ${formatIssue(s.file, e)}\n`);
    } else {
      process.stderr.write(`${head}: ${s.new} new, ${s.changed} changed, ${s.unchanged} unchanged, ${s.skipped} skipped${s.notInFile ? `, ${s.notInFile} in the bank but not in the file (left as they are)` : ''}\n`);
    }
    for (const w of s.warnings) process.stderr.write(`  warning: ${formatIssue(s.file, w)}\n`);
    totals.new += s.new;
    totals.changed += s.changed;
    totals.unchanged += s.unchanged;
    totals.skipped += s.skipped;
  });
  process.stdout.write(
    `${dryRun ? 'dry run (nothing written): ' : ''}${totals.new} new, ${totals.changed} changed, ${totals.unchanged} unchanged, ${totals.skipped} skipped${totals.failed ? `; ${totals.failed} file(s) with errors` : ''}\n`,
  );
  return totals.failed ? 1 : 0;
}

export async function bankExport(app: INestApplicationContext, argv: string[]): Promise<number> {
  const { options } = parseArgs(argv);
  const bank = required(options, 'bank', BANK_EXPORT_USAGE);
  const format = required(options, 'format', BANK_EXPORT_USAGE);
  const out = required(options, 'out', BANK_EXPORT_USAGE);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')} (got "${format}")`);
  const language = options.get('language');
  const result = await app.get(QuestionBanksService).exportBank(bank, format as ExportFormat, typeof language === 'string' ? language : undefined);
  const target = existsSync(out) && statSync(out).isDirectory() ? join(out, result.fileName) : out;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, result.content);
  for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(`wrote ${target} (${result.content.length} bytes)\n`);
  return 0;
}
