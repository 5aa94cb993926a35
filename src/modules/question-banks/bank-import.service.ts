import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../organisations/organisations.service';
import { contentHash } from './domain/canonical';
import { pickText } from './domain/question';
import { parseQuestionFile } from './formats/parse-file';
import { ParsedQuestion, ParseResult } from './formats/parse-result';
import { QuestionBanksRepository, QuestionRowForImport, QuestionWrite } from './question-banks.repository';
import { ImportSummary } from './question-banks.types';

/** File kinds the importer looks at when given a folder. */
const IMPORTABLE = new Set(['.yaml', '.yml', '.gift', '.txt', '.xml', '.zip', '.aiken']);

export function listImportableFiles(path: string): string[] {
  const stat = statSync(path);
  if (!stat.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      if (name.startsWith('.') || name === 'node_modules' || name === 'schema') return [];
      if (statSync(full).isDirectory()) return listImportableFiles(full);
      return IMPORTABLE.has(extname(name).toLowerCase()) && !/^readme/i.test(name) ? [full] : [];
    });
}

/** A bank name from a file name: `Planner Exam 2026.gift` → `planner-exam-2026`. */
export function bankNameFromFile(file: string): string {
  const stem = basename(file).replace(/\.(ya?ml|gift|txt|xml|zip|aiken)$/i, '');
  const slug = stem
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (slug || 'bank-' + createHash('sha256').update(stem).digest('hex').slice(0, 8)).slice(0, 100);
}

const slugify = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKC')
    .replace(/\s+/g, '-')
    .replace(/[^\p{L}\p{N}._-]+/gu, '')
    .slice(0, 120);

/**
 * The identity of a question across imports: the id the file gives (YAML id, GIFT `[id:]`,
 * Moodle idnumber, QTI identifier), else its title, else a hash of its stem. Without a file id
 * or title, editing the stem makes it a different question: documented in question-banks/README.
 */
export function externalIdsOf(questions: ParsedQuestion[], language: string): string[] {
  const seen = new Map<string, number>();
  return questions.map((q) => {
    const title = q.content.title ? pickText(q.content.title, language) : '';
    let id = q.id?.trim() || (title ? slugify(title) : '');
    if (!id) id = 'q-' + createHash('sha256').update(pickText(q.content.stem, language)).digest('hex').slice(0, 16);
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    return count === 1 ? id : `${id}~${count}`;
  });
}

export interface ImportOptions {
  bank?: string;
  dryRun?: boolean;
  actor: Actor;
}

/**
 * Imports question files into banks: one transaction per file, so a file with any error
 * imports nothing. Unchanged questions create nothing; changed ones a new version.
 */
@Injectable()
export class BankImportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: QuestionBanksRepository,
    private readonly audit: AuditService,
  ) {}

  async importPaths(paths: string[], options: ImportOptions, onFile?: (summary: ImportSummary, index: number, total: number) => void): Promise<ImportSummary[]> {
    const files = paths.flatMap((p) => listImportableFiles(p));
    const summaries: ImportSummary[] = [];
    for (const [index, file] of files.entries()) {
      let summary: ImportSummary;
      try {
        summary = await this.importBuffer(file, readFileSync(file), options);
      } catch (error) {
        summary = this.failed(file, options, error instanceof Error ? error.message : String(error));
      }
      summaries.push(summary);
      onFile?.(summary, index, files.length);
    }
    return summaries;
  }

  async importBuffer(file: string, content: Buffer, options: ImportOptions, parsed?: ParseResult, afterWrite?: (m: EntityManager) => Promise<void>): Promise<ImportSummary> {
    const result = parsed ?? parseQuestionFile(file, content);
    const bankName = options.bank ?? result.bank?.bank ?? bankNameFromFile(file);
    const summary: ImportSummary = {
      file,
      bank: bankName,
      format: result.format,
      new: 0,
      changed: 0,
      unchanged: 0,
      skipped: result.warnings.length,
      notInFile: 0,
      errors: result.errors,
      warnings: result.warnings,
      dryRun: Boolean(options.dryRun),
    };
    if (result.errors.length) return summary;
    if (!/^[a-z0-9][a-z0-9._-]{0,99}$/.test(bankName)) {
      summary.errors = [{ line: 1, message: `bank name "${bankName}" is not valid: use lower-case letters, digits, '.', '-' or '_' (--bank NAME)` }];
      return summary;
    }

    const work = async (manager: EntityManager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bank:${bankName}`]);
      const existingBank = await this.repository.findBankByName(bankName, manager);
      const bankId = options.dryRun
        ? (existingBank?.id ?? null)
        : await this.repository.upsertBank(
            {
              name: bankName,
              title: result.bank?.title ?? existingBank?.title ?? { [result.language]: bankName },
              description: result.bank?.description ?? null,
              language: result.language,
              source: basename(file),
            },
            manager,
          );
      const existing: Map<string, QuestionRowForImport> = bankId ? await this.repository.questionsForImport(bankId, manager) : new Map<string, QuestionRowForImport>();
      const ids = externalIdsOf(result.questions, result.language);
      const fresh: QuestionWrite[] = [];
      const changed: QuestionWrite[] = [];
      const statusChanges: { id: string; status: 'active' | 'retired' }[] = [];
      const inFile = new Set<string>();
      result.questions.forEach((q, position) => {
        const externalId = ids[position];
        inFile.add(externalId);
        const hash = contentHash(q.content);
        const status = q.status ?? 'active';
        const before = existing.get(externalId);
        if (!before) {
          fresh.push({ questionId: randomUUID(), versionId: randomUUID(), externalId, version: 1, content: q.content, contentHash: hash, status, position });
        } else if (before.contentHash !== hash) {
          changed.push({ questionId: before.id, versionId: randomUUID(), externalId, version: before.currentVersion + 1, content: q.content, contentHash: hash, status, position });
        } else {
          summary.unchanged++;
          // Only the native format says a question is retired; other formats do not restore one.
          if (q.status && q.status !== before.status) statusChanges.push({ id: before.id, status: q.status });
        }
      });
      summary.new = fresh.length;
      summary.changed = changed.length + statusChanges.length;
      summary.unchanged -= statusChanges.length;
      summary.notInFile = [...existing.keys()].filter((k) => !inFile.has(k)).length;
      if (options.dryRun || !bankId) return;
      const createdBy = options.actor.id;
      await this.repository.insertQuestions(bankId, fresh, 'import', createdBy, manager);
      await this.repository.addVersions(bankId, changed, 'import', createdBy, manager);
      await this.repository.setStatuses(statusChanges, manager);
      if (fresh.length || changed.length || statusChanges.length) {
        await this.audit.record(
          {
            action: 'bank.imported',
            actorId: options.actor.id,
            actorLabel: options.actor.label,
            targetType: 'question_bank',
            targetId: bankId,
            targetLabel: bankName,
            ip: options.actor.ip,
            requestId: options.actor.requestId,
            detail: { file: basename(file), new: summary.new, changed: summary.changed, unchanged: summary.unchanged },
          },
          manager,
        );
      }
      if (afterWrite) await afterWrite(manager);
    };
    await this.dataSource.transaction(work);
    return summary;
  }

  private failed(file: string, options: ImportOptions, message: string): ImportSummary {
    return {
      file,
      bank: options.bank ?? bankNameFromFile(file),
      format: 'unknown',
      new: 0,
      changed: 0,
      unchanged: 0,
      skipped: 0,
      notInFile: 0,
      errors: [{ line: 1, message }],
      warnings: [],
      dryRun: Boolean(options.dryRun),
    };
  }
}

/** `file:line:column: message` — the form editors and CI logs jump to. */
export function formatIssue(file: string, issue: { line: number; column?: number; message: string; entry?: string }): string {
  const where = issue.entry ? `${file}!${issue.entry}` : file;
  return `${where}:${issue.line}:${issue.column ?? 1}: ${issue.message}`;
}
