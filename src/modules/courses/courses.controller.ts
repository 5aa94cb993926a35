import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebPages } from '../../infra/http/web-pages';
import { actorOf } from '../organisations/organisations.service';
import { attemptContext, courseAction, minutesOf } from './courses.presenters';
import { CoursesService } from './courses.service';
import { PageQueryDto } from './dto/courses.dto';
import { responseFromForm } from './knowledge-check-form';
import { KnowledgeChecksService } from './knowledge-checks.service';
import { HEARTBEAT_SECONDS } from './progress-rules';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

/** The learner's pages: catalogue, my learning, course, lesson reader, knowledge checks. */
@Controller()
@Authenticated()
export class CoursesController {
  constructor(
    private readonly courses: CoursesService,
    private readonly checks: KnowledgeChecksService,
    private readonly pages: WebPages,
  ) {}

  @Get('courses')
  async catalogue(
    @Query() query: PageQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const page = await this.courses.catalogue(principal.id, req.locale, pageRequest(query, 12));
    return this.pages.render(req, reply, 'courses/catalogue', 'courses.catalogue.title', { page, query: {} });
  }

  @Get('learning')
  async myLearning(
    @Query() query: PageQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const page = await this.courses.myLearning(principal.id, req.locale, pageRequest(query));
    return this.pages.render(req, reply, 'courses/my-learning', 'courses.myLearning.title', {
      page,
      query: {},
    });
  }

  @Post('courses/:courseId/enrolment')
  async enrol(
    @Param('courseId') courseId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { created, course } = await this.courses.enrol(principal, courseId, req.locale);
    return this.pages.redirect(req, reply, `/courses/${course.id}`, {
      kind: created ? 'success' : 'info',
      key: created ? 'courses.flash.enrolled' : 'courses.flash.alreadyEnrolled',
      params: { course: course.title },
    });
  }

  @Get('courses/:courseId')
  async course(
    @Param('courseId') courseId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const course = await this.courses.outline(principal, courseId, req.locale);
    return this.pages.render(req, reply, 'courses/course', 'courses.course.title', {
      title: course.title,
      course,
      action: courseAction(course),
      preview: course.status !== 'published',
    });
  }

  @Get('lessons/:lessonId')
  async lesson(
    @Param('lessonId') lessonId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const reading = await this.courses.readLesson(principal, lessonId, req.locale, true);
    const check = reading.module.knowledgeCheck;
    return this.pages.render(req, reply, 'courses/lesson', 'courses.lesson.title', {
      title: reading.lesson.title,
      ...reading,
      minutesSpent: minutesOf(reading.lesson.secondsSpent),
      bodyFallback: reading.lesson.bodyLocale !== req.locale,
      checkNext: reading.endsModule && check !== null ? check : null,
      heartbeatSeconds: HEARTBEAT_SECONDS,
    });
  }

  @Post('lessons/:lessonId/completion')
  async complete(
    @Param('lessonId') lessonId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const result = await this.courses.completeLesson(principal, lessonId, actorOf(principal, meta(req)));
    if (result.courseCompleted) {
      return this.pages.redirect(req, reply, `/courses/${result.courseId}`, {
        kind: 'success',
        key: 'courses.flash.courseCompleted',
      });
    }
    const reading = await this.courses.readLesson(principal, lessonId, req.locale, false);
    const check = reading.module.knowledgeCheck;
    if (reading.endsModule && check && !check.passed) {
      return this.pages.redirect(req, reply, `/modules/${reading.module.id}/knowledge-check`, {
        kind: 'success',
        key: 'courses.flash.lessonCompletedCheckNext',
      });
    }
    if (reading.next)
      return this.pages.redirect(req, reply, `/lessons/${reading.next.id}`, {
        kind: 'success',
        key: 'courses.flash.lessonCompleted',
        params: { lesson: reading.lesson.title },
      });
    return this.pages.redirect(req, reply, `/courses/${result.courseId}`, {
      kind: 'success',
      key: 'courses.flash.lessonCompleted',
      params: { lesson: reading.lesson.title },
    });
  }

  @Get('modules/:moduleId/knowledge-check')
  async checkIntro(
    @Param('moduleId') moduleId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const overview = await this.checks.overview(principal, moduleId, req.locale);
    return this.pages.render(req, reply, 'courses/check-intro', 'courses.check.title', { overview });
  }

  @Post('modules/:moduleId/knowledge-check')
  async checkStart(
    @Param('moduleId') moduleId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const attempt = await this.checks.start(principal, moduleId, req.locale);
    return this.pages.redirect(req, reply, `/knowledge-checks/${attempt.id}`);
  }

  @Get('knowledge-checks/:attemptId')
  async attempt(
    @Param('attemptId') attemptId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const view = await this.checks.attempt(principal, attemptId, req.locale);
    return this.pages.render(
      req,
      reply,
      'courses/check',
      'courses.check.title',
      attemptContext(view, req.locale),
    );
  }

  @Post('knowledge-checks/:attemptId')
  async submit(
    @Param('attemptId') attemptId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const view = await this.checks.attempt(principal, attemptId, req.locale);
    // A second click on "submit" (or a resent form) just shows the result.
    if (view.submittedAt) return this.pages.redirect(req, reply, `/knowledge-checks/${attemptId}`);
    const posted = body ?? {};
    const responses = new Map<number, unknown>(
      view.questions.map((q) => [q.position, responseFromForm(q.view, q.position, posted)]),
    );
    await this.checks.submit(principal, attemptId, responses, req.locale, actorOf(principal, meta(req)), {
      lenient: true,
    });
    // The result page itself shows the score, the verdict and the feedback: no flash needed.
    return this.pages.redirect(req, reply, `/knowledge-checks/${attemptId}`);
  }
}
