import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { AppError } from '../../infra/http/app-error';
import { pageRequest } from '../../infra/http/pagination';
import { WebPages } from '../../infra/http/web-pages';
import { translate } from '../../infra/i18n/i18n';
import { actorOf } from '../organisations/organisations.service';
import { formatIssue } from './bank-import.service';
import { QUESTION_TYPES } from './domain/question';
import { pickText } from './domain/question';
import { EXPORT_FORMATS, ExportFormat } from './formats/export-types';
import { QuestionQueryDto } from './dto/question-banks.dto';
import { QuestionBanksService } from './question-banks.service';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

/** Staff pages: banks, questions (filter, preview, edit as a new version, history and diff), upload, export. */
@Controller('admin/banks')
@Roles('platform_staff')
export class QuestionBanksController {
  constructor(
    private readonly banks: QuestionBanksService,
    private readonly pages: WebPages,
  ) {}

  @Get()
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const banks = await this.banks.listBanks();
    return this.pages.render(req, reply, 'question-banks/banks', 'questionBanks.title', {
      banks: banks.map((b) => ({ ...b, titleText: pickText(b.title, req.locale, ['zh-CN', 'en']) })),
      tags: await this.banks.tagCounts(),
      formats: EXPORT_FORMATS,
    });
  }

  @Get('questions')
  async questions(@Query() query: QuestionQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const bank = query.bank ? await this.banks.getBank(query.bank) : null;
    const page = await this.banks.listQuestions(
      { bankId: bank?.id, tag: query.tag, type: query.type, difficulty: query.difficulty, status: query.status, q: query.q },
      pageRequest(query),
    );
    return this.pages.render(req, reply, 'question-banks/questions', 'questionBanks.questions', {
      page: { ...page, items: page.items.map((q) => ({ ...q, stemText: pickText(q.stem, req.locale, ['zh-CN', 'en']).slice(0, 160) })) },
      banks: await this.banks.listBanks(),
      tags: await this.banks.tagCounts(),
      types: QUESTION_TYPES,
      difficulties: [1, 2, 3, 4, 5],
      query: { bank: query.bank ?? '', tag: query.tag ?? '', type: query.type ?? '', difficulty: query.difficulty ?? '', status: query.status ?? '', q: query.q ?? '' },
    });
  }

  @Get('questions/:id')
  async question(@Param('id') id: string, @Query('lang') lang: string | undefined, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { question, versions } = await this.banks.getQuestion(id);
    const current = versions[0];
    const previewLocale = lang === 'en' || lang === 'zh-CN' ? lang : req.locale;
    return this.pages.render(req, reply, 'question-banks/question', 'questionBanks.question', {
      question,
      preview: this.banks.preview(current.content, previewLocale, 7),
      previewLocale,
      yaml: await this.banks.questionYaml(question, current.content),
      versions: versions.map((v, i) => ({ ...v, previous: versions[i + 1]?.version ?? null })),
    });
  }

  @Get('questions/:id/edit')
  async editForm(@Param('id') id: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { question, versions } = await this.banks.getQuestion(id);
    return this.pages.render(req, reply, 'question-banks/edit', 'questionBanks.edit', {
      question,
      yaml: await this.banks.questionYaml(question, versions[0].content),
      note: '',
      problems: [],
    });
  }

  @Post('questions/:id/edit')
  async edit(@Param('id') id: string, @Body() body: { yaml?: string; note?: string }, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const yaml = typeof body.yaml === 'string' ? body.yaml : '';
    const note = typeof body.note === 'string' ? body.note.slice(0, 500) : '';
    try {
      const result = await this.banks.editQuestion(id, yaml, note || null, actorOf(principal, meta(req)));
      return this.pages.redirect(req, reply, `/admin/banks/questions/${id}`, {
        kind: result.changed ? 'success' : 'info',
        key: result.changed ? 'questionBanks.saved' : 'questionBanks.unchanged',
        params: { version: result.version },
      });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const { question } = await this.banks.getQuestion(id);
      // What was typed stays in the editor, with every problem by line.
      return this.pages.render(
        req,
        reply,
        'question-banks/edit',
        'questionBanks.edit',
        { question, yaml, note, problems: error.fields?.yaml ?? [translate(req.locale, error.messageKey, error.params)] },
        400,
      );
    }
  }

  @Post('questions/:id/status')
  async status(@Param('id') id: string, @Body() body: { status?: string }, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const status = body.status === 'retired' ? 'retired' : 'active';
    await this.banks.setStatus(id, status, actorOf(principal, meta(req)));
    return this.pages.redirect(req, reply, `/admin/banks/questions/${id}`, { kind: 'success', key: status === 'retired' ? 'questionBanks.retired' : 'questionBanks.restored' });
  }

  @Get('questions/:id/diff')
  async diff(@Param('id') id: string, @Query('from') from: string, @Query('to') to: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { question } = await this.banks.getQuestion(id);
    const lines = await this.banks.diff(id, Number(from), Number(to));
    return this.pages.render(req, reply, 'question-banks/diff', 'questionBanks.diff', { question, from: Number(from), to: Number(to), lines });
  }

  /** Upload: the file is parsed and compared (a dry run) before anything is written. */
  @Post('upload')
  async upload(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const file = req.isMultipart() ? await req.file() : undefined;
    if (!file || !file.filename) {
      return this.pages.redirect(req, reply, '/admin/banks', { kind: 'error', key: 'questionBanks.noFile' });
    }
    const content = await file.toBuffer();
    const bankField = file.fields.bank as { value?: unknown } | undefined;
    const bankName = typeof bankField?.value === 'string' && bankField.value.trim() ? bankField.value.trim() : null;
    const { uploadId, summary } = await this.banks.previewUpload(file.filename, content, bankName, actorOf(principal, meta(req)));
    return this.pages.render(req, reply, 'question-banks/upload', 'questionBanks.uploadPreview', {
      uploadId,
      summary,
      errors: summary.errors.map((e) => formatIssue(file.filename, e)),
      warnings: summary.warnings.map((w) => formatIssue(file.filename, w)),
    }, summary.errors.length ? 422 : 200);
  }

  @Post('uploads/:id/commit')
  async commit(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const summary = await this.banks.commitUpload(id, actorOf(principal, meta(req)));
    return this.pages.redirect(req, reply, `/admin/banks/questions?bank=${encodeURIComponent(summary.bank)}`, {
      kind: 'success',
      key: 'questionBanks.imported',
      params: { bank: summary.bank, new: summary.new, changed: summary.changed, unchanged: summary.unchanged },
    });
  }

  @Get(':name/export')
  async export(@Param('name') name: string, @Query('format') format: string, @Query('language') language: string | undefined, @Res() reply: FastifyReply) {
    const chosen: ExportFormat = (EXPORT_FORMATS as readonly string[]).includes(format) ? (format as ExportFormat) : 'yaml';
    const result = await this.banks.exportBank(name, chosen, language === 'en' || language === 'zh-CN' ? language : undefined);
    return reply
      .header('content-disposition', `attachment; filename="${result.fileName}"`)
      .type(result.fileName.endsWith('.zip') ? 'application/zip' : 'text/plain; charset=utf-8')
      .send(result.content);
  }
}
