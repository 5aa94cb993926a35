import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { AppError } from '../../infra/http/app-error';
import { pageRequest } from '../../infra/http/pagination';
import { WebPages } from '../../infra/http/web-pages';
import { Locale, translate } from '../../infra/i18n/i18n';
import { LocalizedText, QUESTION_TYPES, pickText } from '../question-banks/domain/question';
import { QuestionBanksService } from '../question-banks/question-banks.service';
import { ExamAuthoringService, ExamOverview, SectionShortfall } from './exam-authoring.service';
import { DIFFICULTIES, EXAM_MODES, emptyExamForm, ExamForm, examForm, FormErrors, minutesText, parseExamForm, REVIEW_FROM, REVIEW_POLICIES } from './exam-form';
import { ExamsError } from './exams.errors';
import { actorOf } from '../organisations/organisations.service';

const fixed = (value: number | null, digits = 2) => (value === null ? '—' : value.toFixed(digits));

function localise(locale: Locale, errors: FormErrors): FormErrors {
  return Object.fromEntries(Object.entries(errors).map(([field, key]) => [field, translate(locale, key)]));
}

/** The shortfall list a BLUEPRINT_SHORT error carries (publish, or an edit of a published exam). */
function shortfallsOf(error: ExamsError, titles: LocalizedText[], locale: Locale): SectionShortfall[] {
  const sections = (error.data?.sections ?? []) as { section: number; needed: number; available: number; shortBy: number }[];
  return sections.map((s) => ({ ...s, title: pickText(titles[s.section - 1], locale, ['zh-CN', 'en']) }));
}

/** Staff pages: exam definitions and blueprints (create, edit, publish, archive) and item statistics. */
const metaOf = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

@Controller('admin/exams')
@Roles('platform_staff')
export class ExamsAdminController {
  constructor(
    private readonly authoring: ExamAuthoringService,
    private readonly banks: QuestionBanksService,
    private readonly pages: WebPages,
  ) {}

  @Get()
  async list(@Query('page') page: string | undefined, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const result = await this.authoring.list(pageRequest({ page }));
    return this.pages.render(req, reply, 'exams/admin/list', 'exams.staff.title', {
      page: {
        ...result,
        items: result.items.map((e) => ({ ...e, titleText: pickText(e.title, req.locale, ['zh-CN', 'en']), minutes: minutesText(e.timeLimitSeconds) })),
      },
      query: {},
    });
  }

  @Get('new')
  async newExam(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderForm(req, reply, null, emptyExamForm(), {});
  }

  @Post()
  async create(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const parsed = parseExamForm(body ?? {});
    if (!parsed.exam) return this.renderForm(req, reply, null, parsed.form, localise(req.locale, parsed.errors), 400);
    const id = await this.authoring.create(parsed.exam, parsed.sections, actorOf(principal, metaOf(req)));
    return this.pages.redirect(req, reply, `/admin/exams/${id}`, { kind: 'success', key: 'exams.staff.created' });
  }

  @Get(':examId')
  async edit(@Param('examId') examId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const overview = await this.authoring.overview(examId, req.locale);
    return this.renderForm(req, reply, overview, examForm(overview.exam, overview.sections, overview.inUse), {});
  }

  @Post(':examId')
  async save(@Param('examId') examId: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const overview = await this.authoring.overview(examId, req.locale);
    const parsed = parseExamForm(body ?? {}, overview.inUse);
    if (!parsed.exam) return this.renderForm(req, reply, overview, parsed.form, localise(req.locale, parsed.errors), 400);
    try {
      await this.authoring.update(examId, parsed.exam, parsed.sections, parsed.keptRows, actorOf(principal, metaOf(req)));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const errors: FormErrors = { _form: translate(req.locale, error.messageKey, error.params) };
      for (const [field, messages] of Object.entries(error.fields ?? {})) errors[field] = translate(req.locale, messages[0]);
      if (error instanceof ExamsError && error.code === 'BLUEPRINT_SHORT') {
        errors._form = translate(req.locale, 'exams.staff.stillShort');
        return this.renderForm(req, reply, overview, parsed.form, errors, 422, shortfallsOf(error, parsed.sections.map((x) => x.title), req.locale));
      }
      return this.renderForm(req, reply, overview, parsed.form, errors, error.status);
    }
    return this.pages.redirect(req, reply, `/admin/exams/${examId}`, { kind: 'success', key: 'exams.staff.saved' });
  }

  @Post(':examId/publish')
  async publish(@Param('examId') examId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      await this.authoring.publish(examId, actorOf(principal, metaOf(req)));
    } catch (error) {
      if (!(error instanceof ExamsError) || error.code !== 'BLUEPRINT_SHORT') throw error;
      const overview = await this.authoring.overview(examId, req.locale);
      return this.renderForm(
        req,
        reply,
        overview,
        examForm(overview.exam, overview.sections, overview.inUse),
        { _form: translate(req.locale, 'exams.staff.publishShort') },
        422,
        shortfallsOf(error, overview.sections.map((x) => x.title), req.locale),
      );
    }
    return this.pages.redirect(req, reply, `/admin/exams/${examId}`, { kind: 'success', key: 'exams.staff.published' });
  }

  @Post(':examId/archive')
  async archive(@Param('examId') examId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.authoring.archive(examId, actorOf(principal, metaOf(req)));
    return this.pages.redirect(req, reply, `/admin/exams/${examId}`, { kind: 'success', key: 'exams.staff.archived' });
  }

  @Post(':examId/restore')
  async restore(@Param('examId') examId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.authoring.restore(examId, actorOf(principal, metaOf(req)));
    return this.pages.redirect(req, reply, `/admin/exams/${examId}`, { kind: 'success', key: 'exams.staff.restored' });
  }

  @Get(':examId/statistics')
  async statistics(
    @Param('examId') examId: string,
    @Query('page') page: string | undefined,
    @Query('flagged') flagged: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const onlyFlagged = flagged === '1';
    const stats = await this.authoring.statistics(examId, req.locale, pageRequest({ page }), onlyFlagged);
    return this.pages.render(req, reply, 'exams/admin/statistics', 'exams.staff.statistics', {
      exam: { ...stats.exam, titleText: pickText(stats.exam.title, req.locale, ['zh-CN', 'en']) },
      stats: {
        ...stats,
        alphaText: fixed(stats.alpha),
        kr20Text: fixed(stats.kr20),
        thresholdsText: {
          minFacility: fixed(stats.thresholds.minFacility),
          maxFacility: fixed(stats.thresholds.maxFacility),
          minDiscrimination: fixed(stats.thresholds.minDiscrimination),
        },
      },
      page: {
        ...stats.page,
        items: stats.page.items.map((i) => ({
          ...i,
          facilityText: fixed(i.facility),
          discriminationText: fixed(i.discrimination),
          tooEasy: i.flags.includes('too_easy'),
          tooHard: i.flags.includes('too_hard'),
          lowDiscrimination: i.flags.includes('low_discrimination'),
        })),
      },
      query: { flagged: onlyFlagged ? '1' : '' },
      base: `/admin/exams/${examId}/statistics`,
    });
  }

  private async renderForm(
    req: FastifyRequest,
    reply: FastifyReply,
    overview: ExamOverview | null,
    form: ExamForm,
    errors: FormErrors,
    status = 200,
    shortfalls: SectionShortfall[] | null = null,
  ) {
    const exam = overview?.exam ?? null;
    const attempts = overview ? Object.values(overview.attemptStates).reduce((a, b) => a + b, 0) : 0;
    return this.pages.render(
      req,
      reply,
      'exams/admin/form',
      exam ? 'exams.staff.edit' : 'exams.staff.new',
      {
        exam: exam ? { ...exam, titleText: pickText(exam.title, req.locale, ['zh-CN', 'en']) } : null,
        form,
        errors,
        action: exam ? `/admin/exams/${exam.id}` : '/admin/exams',
        modes: EXAM_MODES,
        policies: REVIEW_POLICIES,
        reviewFroms: REVIEW_FROM,
        types: QUESTION_TYPES.filter((t) => t !== 'description'),
        difficulties: DIFFICULTIES,
        tags: await this.banks.tagCounts(),
        // What the banks cannot fill now (drafts), or what an action was refused for.
        shortfalls: shortfalls ?? overview?.shortfalls ?? [],
        refused: shortfalls !== null,
        attempts,
        attemptStates: overview ? Object.entries(overview.attemptStates).map(([state, count]) => ({ state, count })) : [],
      },
      status,
    );
  }
}
