import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, createHmac, randomInt, randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { DataSource } from 'typeorm';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../organisations/organisations.service';
import { CandidateQuestion, candidateView, resolveResponse, shuffled } from './candidate-view';
import { contentHash } from './domain/canonical';
import { pickText, QuestionContent } from './domain/question';
import { ExportFormat, ExportResult } from './formats/export-types';
import { exportGift } from './formats/gift.exporter';
import { parseQuestionFile } from './formats/parse-file';
import { exportQti3 } from './formats/qti.exporter';
import { exportYaml } from './formats/yaml.exporter';
import { gradeResponse, validateResponseShape } from './grading';
import { BankImportService, formatIssue } from './bank-import.service';
import { QuestionBanksError } from './question-banks.errors';
import { QuestionBanksRepository } from './question-banks.repository';
import { Bank, ImportSummary, QuestionFilter, QuestionSummary, QuestionVersion } from './question-banks.types';
import { diffLines, DiffLine } from './text-diff';

export interface PracticeItem {
  versionId: string;
  view: CandidateQuestion;
}

export interface PracticeFeedback {
  status: 'graded' | 'needs_human' | 'not_scored';
  credit: number | null;
  correct: boolean | null;
  explanation: string | null;
  /** the right answer in words, shown after answering a practice question */
  answer: string | null;
}

/** Question banks: browse, edit (a new version), retire and restore, preview, export, practice. */
@Injectable()
export class QuestionBanksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: QuestionBanksRepository,
    private readonly importer: BankImportService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.idKey = createHmac('sha256', config.sessionSecret).update('candidate-ids').digest('hex');
  }

  /** Key for opaque candidate-facing ids (see candidate-view.ts); derived from the session secret. */
  readonly idKey: string;

  /** A practice view's seed is derived from its version, so the same question looks the same on every try. */
  private practiceSeed(versionId: string): number {
    return parseInt(createHash('sha256').update(versionId).digest('hex').slice(0, 8), 16);
  }

  listBanks(): Promise<Bank[]> {
    return this.repository.listBanks();
  }

  async getBank(name: string): Promise<Bank> {
    const bank = (await this.repository.findBankByName(name)) ?? (await this.repository.findBankById(name));
    if (!bank) throw new QuestionBanksError('BANK_NOT_FOUND', { name });
    return bank;
  }

  async listQuestions(filter: QuestionFilter, page: PageRequest): Promise<Page<QuestionSummary>> {
    const { items, total } = await this.repository.listQuestions(filter, page);
    return toPage(items, total, page);
  }

  tagCounts() {
    return this.repository.tagCounts();
  }

  async getQuestion(id: string): Promise<{ question: QuestionSummary; versions: QuestionVersion[] }> {
    const question = await this.repository.findQuestion(id);
    if (!question) throw new QuestionBanksError('QUESTION_NOT_FOUND');
    return { question, versions: await this.repository.versions(id) };
  }

  /** The question in the native YAML format (a one-question bank), as the editor shows it. */
  async questionYaml(question: QuestionSummary, content: QuestionContent): Promise<string> {
    const bank = await this.getBank(question.bankName);
    return exportYaml({
      bank: bank.name,
      title: bank.title,
      language: bank.language,
      questions: [{ id: question.externalId, status: question.status, content }],
    }).content.toString('utf8');
  }

  /** Saves an edit as a new version. The text is the native YAML of one question. */
  async editQuestion(id: string, yamlText: string, note: string | null, actor: Actor): Promise<{ version: number; changed: boolean }> {
    const { question } = await this.getQuestion(id);
    const parsed = parseQuestionFile('edit.yaml', Buffer.from(yamlText, 'utf8'));
    if (parsed.errors.length || parsed.questions.length !== 1) {
      const lines = parsed.errors.length ? parsed.errors.map((e) => formatIssue('edit.yaml', e)) : ['the text must hold exactly one question under "questions:"'];
      throw new QuestionBanksError('EDIT_INVALID', { problems: lines.join('\n') }, { yaml: lines });
    }
    const [edited] = parsed.questions;
    if (edited.id && edited.id !== question.externalId) throw new QuestionBanksError('EDIT_ID_CHANGED', { id: question.externalId });
    const hash = contentHash(edited.content);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.repository.findQuestion(id, manager);
      if (!current) throw new QuestionBanksError('QUESTION_NOT_FOUND');
      if ((await this.repository.lockContentHash(id, manager)) === hash) return { version: current.currentVersion, changed: false };
      const version = current.currentVersion + 1;
      await this.repository.addVersions(
        current.bankId,
        [{ questionId: id, versionId: randomUUID(), externalId: current.externalId, version, content: edited.content, contentHash: hash, status: current.status, position: null }],
        'edit',
        actor.id,
        manager,
        note,
      );
      await this.audit.record(
        { action: 'question.edited', actorId: actor.id, actorLabel: actor.label, targetType: 'question', targetId: id, targetLabel: `${current.bankName}/${current.externalId}`, ip: actor.ip, requestId: actor.requestId, detail: { version, note } },
        manager,
      );
      return { version, changed: true };
    });
  }

  async setStatus(id: string, status: 'active' | 'retired', actor: Actor): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const question = await this.repository.findQuestion(id, manager);
      if (!question) throw new QuestionBanksError('QUESTION_NOT_FOUND');
      if (question.status === status) return;
      await this.repository.setStatuses([{ id, status }], manager);
      await this.audit.record(
        {
          action: status === 'retired' ? 'question.retired' : 'question.restored',
          actorId: actor.id,
          actorLabel: actor.label,
          targetType: 'question',
          targetId: id,
          targetLabel: `${question.bankName}/${question.externalId}`,
          ip: actor.ip,
          requestId: actor.requestId,
        },
        manager,
      );
    });
  }

  /** What changed from one version to another, as a line diff of their YAML. */
  async diff(id: string, fromVersion: number, toVersion: number): Promise<DiffLine[]> {
    const { question, versions } = await this.getQuestion(id);
    const from = versions.find((v) => v.version === fromVersion);
    const to = versions.find((v) => v.version === toVersion);
    if (!from || !to) throw new QuestionBanksError('VERSION_NOT_FOUND');
    return diffLines(await this.questionYaml(question, from.content), await this.questionYaml(question, to.content));
  }

  /** Exactly what a candidate will see (shuffled as in an attempt when asked). */
  preview(content: QuestionContent, locale: string, seed?: number): CandidateQuestion {
    return candidateView(content, locale, { shuffleOptions: seed !== undefined, seed });
  }

  async exportBank(name: string, format: ExportFormat, language?: string): Promise<ExportResult> {
    const bank = await this.getBank(name);
    const questions = await this.repository.bankQuestionsForExport(bank.id);
    const input = {
      bank: bank.name,
      title: bank.title,
      description: bank.description ?? undefined,
      language: bank.language,
      questions: questions.map((q) => ({ id: q.externalId, status: q.status, content: q.content })),
    };
    switch (format) {
      case 'yaml':
        return exportYaml(input);
      case 'qti3':
        return exportQti3(input, { language });
      case 'gift':
        return exportGift(input, { language });
    }
  }

  /** Uploaded file: kept so the staff member can look at the dry run, then commit the same bytes. */
  async previewUpload(fileName: string, content: Buffer, bankName: string | null, actor: Actor): Promise<{ uploadId: string; summary: ImportSummary }> {
    const summary = await this.importer.importBuffer(fileName, content, { bank: bankName ?? undefined, dryRun: true, actor });
    const uploadId = await this.repository.saveUpload(fileName, bankName, content, actor.id!);
    return { uploadId, summary };
  }

  async commitUpload(uploadId: string, actor: Actor): Promise<ImportSummary> {
    const upload = await this.repository.findUpload(uploadId, actor.id!);
    if (!upload) throw new QuestionBanksError('UPLOAD_NOT_FOUND');
    if (upload.importedAt) throw new QuestionBanksError('UPLOAD_ALREADY_IMPORTED');
    const summary = await this.importer.importBuffer(upload.fileName, upload.content, { bank: upload.bankName ?? undefined, actor }, undefined, (m) =>
      this.repository.markUploadImported(uploadId, m),
    );
    if (summary.errors.length) throw new QuestionBanksError('UPLOAD_HAS_ERRORS', { count: summary.errors.length });
    return summary;
  }

  /** Practice questions for knowledge checks: active, by tag, in random order, no keys. */
  async drawPractice(tags: string[], count: number, locale: string): Promise<PracticeItem[]> {
    const pool = await this.repository.activeByTags(tags);
    const chosen = shuffled(pool, () => randomInt(0, 2 ** 31) / 2 ** 31).slice(0, count);
    const versions = await this.repository.versionsByIds(chosen.map((c) => c.versionId));
    return chosen.map((c) => ({
      versionId: c.versionId,
      view: candidateView(versions.get(c.versionId)!.content, locale, { shuffleOptions: true, seed: this.practiceSeed(c.versionId), idKey: this.idKey }),
    }));
  }

  async practiceViews(versionIds: string[], locale: string): Promise<PracticeItem[]> {
    const versions = await this.repository.versionsByIds(versionIds);
    return versionIds
      .filter((id) => versions.has(id))
      .map((id) => ({ versionId: id, view: candidateView(versions.get(id)!.content, locale, { shuffleOptions: true, seed: this.practiceSeed(id), idKey: this.idKey }) }));
  }

  /** Grades one practice answer and explains it (knowledge checks show this at once). */
  async checkPractice(versionId: string, response: unknown, locale: string): Promise<PracticeFeedback> {
    const version = (await this.repository.versionsByIds([versionId])).get(versionId);
    if (!version) throw new QuestionBanksError('VERSION_NOT_FOUND');
    const resolved = resolveResponse(version.content, response, { seed: this.practiceSeed(versionId), idKey: this.idKey });
    const problem = validateResponseShape(version.content, resolved);
    if (problem) throw new QuestionBanksError('RESPONSE_INVALID', { problem }, { response: [problem] });
    const outcome = gradeResponse(version.content, resolved);
    const explanation = version.content.explanation ? pickText(version.content.explanation, locale, ['zh-CN', 'en']) : null;
    const answer = describeAnswer(version.content, locale);
    if (outcome.status !== 'graded') return { status: outcome.status, credit: null, correct: null, explanation, answer };
    return { status: 'graded', credit: outcome.credit, correct: outcome.credit >= 0.999999, explanation, answer };
  }

  async versionContents(versionIds: string[]) {
    return this.repository.versionsByIds(versionIds);
  }

  /** Active questions with any of the tags (for drawing exam blueprints). */
  pool(tags: string[], bankId?: string) {
    return this.repository.activeByTags(tags, { bankId, limit: 20000 });
  }
}

/** The right answer in words, for feedback after a practice answer. */
export function describeAnswer(content: QuestionContent, locale: string): string | null {
  const t = (x: Record<string, string> | null | undefined) => pickText(x, locale, ['zh-CN', 'en']);
  switch (content.type) {
    case 'single_choice':
    case 'multiple_choice':
      return (content.options ?? []).filter((o) => o.fraction > 0).map((o) => t(o.text)).join(' / ');
    case 'true_false':
      return content.answer ? (locale === 'en' ? 'True' : '正确') : locale === 'en' ? 'False' : '错误';
    case 'ordering':
      return (content.options ?? []).map((o) => t(o.text)).join(' → ');
    case 'matching':
      return (content.pairs ?? []).filter((p) => p.prompt).map((p) => `${t(p.prompt)} → ${t(p.match)}`).join('; ');
    case 'short_answer':
      return (content.gaps ?? []).map((g) => ('answers' in g ? g.answers.filter((a) => a.fraction >= 1).map((a) => ('text' in a ? t(a.text) : '')).join(' / ') : '')).join(' | ');
    case 'numeric':
      return (content.gaps ?? []).map((g) => g.answers.filter((a) => a.fraction >= 1).map((a) => ('value' in a ? `${a.value}${a.tolerance ? ` ± ${a.tolerance}` : ''}` : '')).join(' / ')).join(' | ');
    case 'essay':
    case 'description':
      return null;
  }
}
