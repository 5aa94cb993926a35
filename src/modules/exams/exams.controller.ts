import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal } from '../../infra/http/access';
import { AppError } from '../../infra/http/app-error';
import { WebPages } from '../../infra/http/web-pages';
import { Locale, translate } from '../../infra/i18n/i18n';
import { AttemptsService } from './attempts.service';
import { ExamPagesService } from './exam-pages.service';

/** Strings the exam page's script shows (exams.page.js.*), handed over in its JSON data block. */
const SCRIPT_STRINGS = [
  'saved',
  'saving',
  'notSaved',
  'notAnswered',
  'invalid',
  'online',
  'offline',
  'reconnecting',
  'paused',
  'pausedHelp',
  'timeUp',
  'timeLeftAnnounce',
  'sessionReplaced',
  'signedOut',
  'closed',
  'loading',
  'loadFailed',
  'question',
  'questionOf',
  'points',
  'flag',
  'unflag',
  'flagged',
  'answered',
  'current',
  'clear',
  'chooseAll',
  'true',
  'false',
  'gap',
  'choose',
  'moveUp',
  'moveDown',
  'keepOrder',
  'essayHint',
  'noAnswerNeeded',
  'confirmCounts',
  'confirmUnanswered',
  'confirmFlagged',
  'confirmUnsaved',
  'submitting',
  'submitFailed',
  'enterFullscreen',
  'messageFrom',
  'copied',
  'copyFailed',
] as const;

function scriptStrings(locale: Locale): Record<string, string> {
  return Object.fromEntries(SCRIPT_STRINGS.map((name) => [name, translate(locale, `exams.page.js.${name}`)]));
}

const ipOf = (req: FastifyRequest) => req.ip ?? null;

/**
 * Candidate pages: my exams (start, resume, register), the exam page (its script talks to the
 * JSON API with its own page session), the result and receipt. Every attempt page is its
 * owner's only: the services refuse anyone else's attempt as not found.
 */
@Controller()
@Authenticated()
export class ExamsController {
  constructor(
    private readonly pages: WebPages,
    private readonly examPages: ExamPagesService,
    private readonly attempts: AttemptsService,
  ) {}

  @Get('exams')
  async myExams(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { exams, attempts } = await this.examPages.myExams(principal);
    return this.pages.render(req, reply, 'exams/list', 'exams.page.myExams', {
      groups: (['practice', 'certification'] as const).map((mode) => ({ mode, exams: exams.filter((e) => e.mode === mode) })),
      attempts,
    });
  }

  /** Starts (or resumes) an attempt from the form on "my exams", then opens the exam page. */
  @Post('exams/:examId/start')
  async start(@Param('examId') examId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    try {
      const { view } = await this.attempts.start(principal, examId, { ip: ipOf(req), clientSession: null });
      return this.pages.redirect(req, reply, `/attempts/${view.attemptId}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return this.pages.redirect(req, reply, '/exams', { kind: 'error', key: error.messageKey, params: error.params });
    }
  }

  @Get('attempts/:attemptId')
  async attempt(@Param('attemptId') attemptId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.examPages.examPage(principal, attemptId);
    // Not started yet (a certification attempt waiting for admission or for its start): my exams says what to do.
    if (page.state === 'registered' || page.state === 'admitted') return reply.redirect('/exams', 303);
    if (!page.live) return reply.redirect(`/attempts/${attemptId}/result`, 303);
    return this.pages.render(req, reply, 'exams/attempt', 'exams.page.title', {
      examTitle: page.examTitle,
      attemptId,
      config: {
        attemptId,
        apiBase: `/api/v1/attempts/${attemptId}`,
        resultUrl: `/attempts/${attemptId}/result`,
        heartbeatSeconds: 10,
        strings: scriptStrings(req.locale),
      },
    });
  }

  @Get('attempts/:attemptId/result')
  async result(@Param('attemptId') attemptId: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { examTitle, result, items, topics } = await this.examPages.resultPage(principal, attemptId);
    const waiting = ['in_progress', 'paused', 'submitted', 'auto_submitted', 'graded', 'under_review'].includes(result.state);
    return this.pages.render(req, reply, 'exams/result', 'exams.result.title', {
      examTitle,
      result,
      score: result.score ?? null,
      topics,
      items,
      receipt: result.receipt,
      waiting,
      poll: { attemptId, state: result.state, released: result.released, strings: scriptStrings(req.locale) },
    });
  }
}
