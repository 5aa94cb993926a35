import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import { CoursesError } from './courses.errors';
import { CoursesService } from './courses.service';
import {
  AssignCourseDto,
  CheckSubmissionDto,
  PageQueryDto,
  parseDueDate,
  StaffLearningQueryDto,
} from './dto/courses.dto';
import { KnowledgeChecksService } from './knowledge-checks.service';
import { StaffLearningService } from './staff-learning.service';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

/** Learning through JSON: the same services as the pages. `:courseId` is a course id or its key. */
@ApiTags('courses')
@Controller('api/v1')
@Authenticated()
export class CoursesApiController {
  constructor(
    private readonly courses: CoursesService,
    private readonly checks: KnowledgeChecksService,
    private readonly learning: StaffLearningService,
  ) {}

  @Get('courses')
  @ApiOperation({ summary: 'Published courses, with my enrolment and progress' })
  catalogue(
    @Query() query: PageQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.courses.catalogue(principal.id, req.locale, pageRequest(query));
  }

  @Get('me/courses')
  @ApiOperation({
    summary: 'My learning: the courses I am enrolled in, with progress, due dates and where to resume',
  })
  mine(@Query() query: PageQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return this.courses.myLearning(principal.id, req.locale, pageRequest(query));
  }

  @Get('me/certification-eligibility')
  @ApiOperation({ summary: 'Whether I have completed the course required for the certification exam' })
  eligibility(@CurrentPrincipal() principal: Principal) {
    return this.courses.hasCompletedRequiredCourse(principal.id);
  }

  @Post('courses/:courseId/enrolment')
  @ApiOperation({ summary: 'Enrol me (idempotent: 201 when enrolled now, 200 when already enrolled)' })
  async enrol(
    @Param('courseId') courseId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { created, course } = await this.courses.enrol(principal, courseId, req.locale);
    void reply.status(created ? 201 : 200);
    return { created, ...course };
  }

  @Get('courses/:courseId')
  @ApiOperation({
    summary: 'A course: modules and lessons with ids, my status of each lesson and knowledge check',
  })
  course(
    @Param('courseId') courseId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.courses.outline(principal, courseId, req.locale);
  }

  @Get('courses/:courseId/progress')
  @ApiOperation({ summary: 'My progress: {completedLessons, totalLessons, percent, completedAt}' })
  progress(@Param('courseId') courseId: string, @CurrentPrincipal() principal: Principal) {
    return this.courses.progress(principal, courseId);
  }

  @Post('courses/:courseId/assignments')
  @Roles('isv_manager', 'platform_staff')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Assign a course (ISV managers: their own staff; staff: anyone), with an optional due date',
  })
  assign(
    @Param('courseId') courseId: string,
    @Body() body: AssignCourseDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    const dueAt = parseDueDate(body.dueAt);
    if (body.dueAt && !dueAt) throw new CoursesError('DUE_DATE_PAST');
    return this.courses.assign(principal, courseId, body.assignees, dueAt, actorOf(principal, meta(req)));
  }

  @Get('lessons/:lessonId')
  @ApiOperation({
    summary: 'A lesson to read (sanitised HTML in my language, else Chinese), with previous/next',
  })
  async lesson(
    @Param('lessonId') lessonId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    const reading = await this.courses.readLesson(principal, lessonId, req.locale, false);
    return {
      ...reading.lesson,
      previous: reading.previous,
      next: reading.next,
      endsModule: reading.endsModule,
      progress: reading.course.progress,
    };
  }

  @Post('lessons/:lessonId/completion')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark a lesson complete for me (idempotent); records the course completion when due',
  })
  complete(
    @Param('lessonId') lessonId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.courses.completeLesson(principal, lessonId, actorOf(principal, meta(req)));
  }

  @Post('lessons/:lessonId/heartbeat')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reader heartbeat: counts reading time (server-measured, capped)' })
  heartbeat(@Param('lessonId') lessonId: string, @CurrentPrincipal() principal: Principal) {
    return this.courses.heartbeat(principal, lessonId);
  }

  @Get('modules/:moduleId/knowledge-check')
  @ApiOperation({ summary: "A module's knowledge check: questions, pass mark, my attempts" })
  checkOverview(
    @Param('moduleId') moduleId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.checks.overview(principal, moduleId, req.locale);
  }

  @Post('modules/:moduleId/knowledge-check/attempts')
  @ApiOperation({
    summary: 'Start a knowledge-check attempt (or get the one still open): questions without keys',
  })
  startCheck(
    @Param('moduleId') moduleId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.checks.start(principal, moduleId, req.locale);
  }

  @Get('knowledge-check-attempts/:attemptId')
  @ApiOperation({ summary: 'One of my attempts; after submission with feedback and explanations' })
  attempt(
    @Param('attemptId') attemptId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.checks.attempt(principal, attemptId, req.locale);
  }

  @Post('knowledge-check-attempts/:attemptId/submission')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit answers: immediate score, feedback and explanations (pass mark 80 %)' })
  submitCheck(
    @Param('attemptId') attemptId: string,
    @Body() body: CheckSubmissionDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    const responses = new Map<number, unknown>(body.answers.map((a) => [a.position, a.response]));
    return this.checks.submit(principal, attemptId, responses, req.locale, actorOf(principal, meta(req)));
  }

  @Get('staff-learning')
  @Roles('isv_manager', 'platform_staff')
  @ApiOperation({
    summary: 'People × published courses (ISV managers: their own staff only), filterable, paginated',
  })
  staffLearning(
    @Query() query: StaffLearningQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
  ) {
    return this.learning.table(
      principal,
      {
        q: query.q?.trim() || undefined,
        courseId: query.courseId,
        status: query.status,
        organisationId: query.organisationId,
      },
      pageRequest(query),
      req.locale,
    );
  }

  @Get('staff-learning/export')
  @Roles('isv_manager', 'platform_staff')
  @ApiOperation({ summary: 'The same table as CSV (all pages)' })
  async staffLearningCsv(
    @Query() query: StaffLearningQueryDto,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const csv = await this.learning.csv(
      principal,
      {
        q: query.q?.trim() || undefined,
        courseId: query.courseId,
        status: query.status,
        organisationId: query.organisationId,
      },
      req.locale,
    );
    return reply
      .header('content-disposition', 'attachment; filename="staff-learning.csv"')
      .type('text/csv; charset=utf-8')
      .send(csv);
  }
}
