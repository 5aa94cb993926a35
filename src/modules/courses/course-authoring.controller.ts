import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { ValidationFailed } from '../../infra/http/app-error';
import { pageRequest } from '../../infra/http/pagination';
import { WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { actorOf } from '../organisations/organisations.service';
import {
  CourseAuthoringService,
  CourseInput,
  Direction,
  LessonInput,
  ModuleInput,
} from './course-authoring.service';
import { linkLines, parseLinkLines } from './course-content';
import { CoursesError } from './courses.errors';
import { LocalizedText, pickText } from './courses.types';
import { CourseFormDto, LessonFormDto, ModuleFormDto } from './dto/authoring.dto';
import { PageQueryDto } from './dto/courses.dto';
import { formText } from './courses.presenters';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

const texts = (zh: string | undefined, en: string | undefined): LocalizedText => {
  const out: LocalizedText = {};
  if (zh?.trim()) out['zh-CN'] = zh.trim();
  if (en?.trim()) out.en = en.trim();
  return out;
};

const courseInput = (dto: CourseFormDto): CourseInput => ({
  key: dto.key ?? null,
  title: texts(dto.titleZh, dto.titleEn),
  summary: texts(dto.summaryZh, dto.summaryEn),
  requiredForCertification: dto.requiredForCertification,
});

const moduleInput = (dto: ModuleFormDto): ModuleInput => ({
  title: texts(dto.titleZh, dto.titleEn),
  checkTags: [...new Set((dto.checkTags ?? '').split(/[\s,]+/).filter(Boolean))],
  checkQuestions: dto.checkQuestions,
});

function lessonInput(dto: LessonFormDto): LessonInput {
  const attachments = parseLinkLines(dto.attachments);
  const videos = parseLinkLines(dto.videos);
  const fields: Record<string, string[]> = {};
  if (attachments.bad.length) fields.attachments = ['courses.validation.links'];
  if (videos.bad.length) fields.videos = ['courses.validation.links'];
  if (Object.keys(fields).length) throw new ValidationFailed(fields);
  const body: LocalizedText = { 'zh-CN': dto.bodyZh };
  if (dto.bodyEn?.trim()) body.en = dto.bodyEn;
  return {
    title: texts(dto.titleZh, dto.titleEn),
    body,
    minutes: dto.minutes,
    attachments: attachments.links,
    videos: videos.links,
    moduleId: dto.moduleId,
  };
}

/** Form fields of a course as typed (for re-rendering with errors). */
const courseForm = (body: Record<string, unknown>) => ({
  key: formText(body, 'key'),
  titleZh: formText(body, 'titleZh'),
  titleEn: formText(body, 'titleEn'),
  summaryZh: formText(body, 'summaryZh'),
  summaryEn: formText(body, 'summaryEn'),
  requiredForCertification: body.requiredForCertification === 'on' || body.requiredForCertification === true,
});

const directionOf = (body: Record<string, unknown>): Direction => (body.direction === 'up' ? 'up' : 'down');

const checkbox = (body: Record<string, unknown>, name: string) => ({
  ...body,
  [name]: body[name] === 'on' || body[name] === 'true',
});

/** Staff authoring pages: courses, modules, lessons, Markdown preview, publish. */
@Controller('admin/courses')
@Roles('platform_staff')
export class CourseAuthoringController {
  constructor(
    private readonly authoring: CourseAuthoringService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  async list(@Query() query: PageQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.authoring.list(pageRequest(query));
    const items = page.items.map((r) => ({
      ...r.course,
      title: pickText(r.course.title, req.locale),
      moduleCount: r.moduleCount,
      lessonCount: r.lessonCount,
      enrolmentCount: r.enrolmentCount,
    }));
    return this.pages.render(req, reply, 'courses/admin-list', 'courses.admin.title', {
      page: { ...page, items },
      query: {},
    });
  }

  @Get('new')
  newCourse(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.pages.render(req, reply, 'courses/admin-course-new', 'courses.admin.newCourse', {
      form: courseForm({}),
      errors: {},
    });
  }

  @Post()
  async create(
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.forms.handle(req, reply, CourseFormDto, checkbox(body, 'requiredForCertification'), {
      run: (dto) => this.authoring.createCourse(courseInput(dto), actorOf(principal, meta(req))),
      success: (course) =>
        this.pages.redirect(req, reply, `/admin/courses/${course.id}`, {
          kind: 'success',
          key: 'courses.flash.courseCreated',
        }),
      failure: (errors) =>
        this.pages.render(
          req,
          reply,
          'courses/admin-course-new',
          'courses.admin.newCourse',
          { form: courseForm(body), errors },
          400,
        ),
    });
  }

  @Get('modules/:moduleId')
  async module(@Param('moduleId') moduleId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { module } = await this.authoring.module(moduleId);
    return this.renderModule(
      req,
      reply,
      moduleId,
      {
        titleZh: module.title['zh-CN'] ?? '',
        titleEn: module.title.en ?? '',
        checkTags: module.checkTags.join(', '),
        checkQuestions: String(module.checkQuestions),
      },
      {},
    );
  }

  @Post('modules/:moduleId')
  async saveModule(
    @Param('moduleId') moduleId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.forms.handle(req, reply, ModuleFormDto, body, {
      run: (dto) => this.authoring.updateModule(moduleId, moduleInput(dto), actorOf(principal, meta(req))),
      success: (module) =>
        this.pages.redirect(req, reply, `/admin/courses/${module.courseId}`, {
          kind: 'success',
          key: 'courses.flash.saved',
        }),
      failure: (errors) =>
        this.renderModule(
          req,
          reply,
          moduleId,
          {
            titleZh: formText(body, 'titleZh'),
            titleEn: formText(body, 'titleEn'),
            checkTags: formText(body, 'checkTags'),
            checkQuestions: formText(body, 'checkQuestions'),
          },
          errors,
          400,
        ),
    });
  }

  @Post('modules/:moduleId/move')
  async moveModule(
    @Param('moduleId') moduleId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const module = await this.authoring.moveModule(
      moduleId,
      directionOf(body),
      actorOf(principal, meta(req)),
    );
    return this.pages.redirect(req, reply, `/admin/courses/${module.courseId}#module-${module.id}`);
  }

  @Post('modules/:moduleId/archive')
  async archiveModule(
    @Param('moduleId') moduleId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const module = await this.authoring.setModuleArchived(moduleId, true, actorOf(principal, meta(req)));
    return this.pages.redirect(req, reply, `/admin/courses/${module.courseId}`, {
      kind: 'success',
      key: 'courses.flash.archived',
    });
  }

  @Post('modules/:moduleId/restore')
  async restoreModule(
    @Param('moduleId') moduleId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const module = await this.authoring.setModuleArchived(moduleId, false, actorOf(principal, meta(req)));
    return this.pages.redirect(req, reply, `/admin/courses/${module.courseId}`, {
      kind: 'success',
      key: 'courses.flash.restored',
    });
  }

  @Post('modules/:moduleId/lessons')
  async addLesson(
    @Param('moduleId') moduleId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const title = formText(body, 'titleZh').trim();
    const { module } = await this.authoring.module(moduleId);
    if (!title)
      return this.pages.redirect(req, reply, `/admin/courses/${module.courseId}#module-${module.id}`, {
        kind: 'error',
        key: 'courses.flash.titleRequired',
      });
    const lesson = await this.authoring.addLesson(
      moduleId,
      {
        title: texts(title, formText(body, 'titleEn')),
        body: { 'zh-CN': `# ${title}\n` },
        minutes: 10,
        attachments: [],
        videos: [],
      },
      actorOf(principal, meta(req)),
    );
    return this.pages.redirect(req, reply, `/admin/courses/lessons/${lesson.id}`, {
      kind: 'success',
      key: 'courses.flash.lessonAdded',
    });
  }

  @Get('lessons/:lessonId')
  async lesson(@Param('lessonId') lessonId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const { lesson } = await this.authoring.lesson(lessonId);
    return this.renderLesson(
      req,
      reply,
      lessonId,
      {
        titleZh: lesson.title['zh-CN'] ?? '',
        titleEn: lesson.title.en ?? '',
        bodyZh: lesson.body['zh-CN'] ?? '',
        bodyEn: lesson.body.en ?? '',
        minutes: String(lesson.minutes),
        attachments: linkLines(lesson.attachments),
        videos: linkLines(lesson.videos),
        moduleId: lesson.moduleId,
      },
      {},
      null,
    );
  }

  @Post('lessons/:lessonId')
  async saveLesson(
    @Param('lessonId') lessonId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const typed = {
      titleZh: formText(body, 'titleZh'),
      titleEn: formText(body, 'titleEn'),
      bodyZh: formText(body, 'bodyZh'),
      bodyEn: formText(body, 'bodyEn'),
      minutes: formText(body, 'minutes'),
      attachments: formText(body, 'attachments'),
      videos: formText(body, 'videos'),
      moduleId: formText(body, 'moduleId'),
    };
    if (body.action === 'preview') {
      // Preview: nothing is saved; the form comes back with what was typed and the rendered Markdown.
      const preview = {
        zh: this.authoring.preview(typed.bodyZh),
        en: typed.bodyEn.trim() ? this.authoring.preview(typed.bodyEn) : null,
      };
      return this.renderLesson(req, reply, lessonId, typed, {}, preview);
    }
    return this.forms.handle(req, reply, LessonFormDto, body, {
      run: (dto) => this.authoring.updateLesson(lessonId, lessonInput(dto), actorOf(principal, meta(req))),
      success: (lesson) =>
        this.pages.redirect(req, reply, `/admin/courses/lessons/${lesson.id}`, {
          kind: 'success',
          key: 'courses.flash.saved',
        }),
      failure: (errors) => this.renderLesson(req, reply, lessonId, typed, errors, null, 400),
    });
  }

  @Post('lessons/:lessonId/move')
  async moveLesson(
    @Param('lessonId') lessonId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const lesson = await this.authoring.moveLesson(
      lessonId,
      directionOf(body),
      actorOf(principal, meta(req)),
    );
    return this.pages.redirect(req, reply, `/admin/courses/${lesson.courseId}#module-${lesson.moduleId}`);
  }

  @Post('lessons/:lessonId/archive')
  async archiveLesson(
    @Param('lessonId') lessonId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const lesson = await this.authoring.setLessonArchived(lessonId, true, actorOf(principal, meta(req)));
    return this.pages.redirect(req, reply, `/admin/courses/${lesson.courseId}#module-${lesson.moduleId}`, {
      kind: 'success',
      key: 'courses.flash.archived',
    });
  }

  @Post('lessons/:lessonId/restore')
  async restoreLesson(
    @Param('lessonId') lessonId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const lesson = await this.authoring.setLessonArchived(lessonId, false, actorOf(principal, meta(req)));
    return this.pages.redirect(req, reply, `/admin/courses/${lesson.courseId}#module-${lesson.moduleId}`, {
      kind: 'success',
      key: 'courses.flash.restored',
    });
  }

  @Get(':courseId')
  async edit(@Param('courseId') courseId: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const editor = await this.authoring.editor(courseId);
    const c = editor.course;
    return this.renderEditor(
      req,
      reply,
      courseId,
      {
        key: c.key,
        titleZh: c.title['zh-CN'] ?? '',
        titleEn: c.title.en ?? '',
        summaryZh: c.summary['zh-CN'] ?? '',
        summaryEn: c.summary.en ?? '',
        requiredForCertification: c.requiredForCertification,
      },
      {},
    );
  }

  @Post(':courseId')
  async save(
    @Param('courseId') courseId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const input = checkbox({ ...body }, 'requiredForCertification');
    delete input.key;
    return this.forms.handle(req, reply, CourseFormDto, input, {
      run: (dto) => this.authoring.updateCourse(courseId, courseInput(dto), actorOf(principal, meta(req))),
      success: (course) =>
        this.pages.redirect(req, reply, `/admin/courses/${course.id}`, {
          kind: 'success',
          key: 'courses.flash.saved',
        }),
      failure: (errors) => this.renderEditor(req, reply, courseId, courseForm(body), errors, 400),
    });
  }

  @Post(':courseId/publish')
  async publish(
    @Param('courseId') courseId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    try {
      const course = await this.authoring.publish(courseId, actorOf(principal, meta(req)));
      return this.pages.redirect(req, reply, `/admin/courses/${course.id}`, {
        kind: 'success',
        key: 'courses.flash.published',
      });
    } catch (error) {
      // "Add a lesson first" belongs on the editor page, not on an error page.
      if (error instanceof CoursesError && error.code === 'COURSE_EMPTY') {
        return this.pages.redirect(req, reply, `/admin/courses/${courseId}`, {
          kind: 'error',
          key: error.messageKey,
          params: error.params,
        });
      }
      throw error;
    }
  }

  @Post(':courseId/unpublish')
  async unpublish(
    @Param('courseId') courseId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const course = await this.authoring.unpublish(courseId, actorOf(principal, meta(req)));
    return this.pages.redirect(req, reply, `/admin/courses/${course.id}`, {
      kind: 'success',
      key: 'courses.flash.unpublished',
    });
  }

  @Post(':courseId/modules')
  async addModule(
    @Param('courseId') courseId: string,
    @Body() body: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const title = formText(body, 'titleZh').trim();
    if (!title)
      return this.pages.redirect(req, reply, `/admin/courses/${courseId}`, {
        kind: 'error',
        key: 'courses.flash.titleRequired',
      });
    const module = await this.authoring.addModule(
      courseId,
      { title: texts(title, formText(body, 'titleEn')), checkTags: [], checkQuestions: 0 },
      actorOf(principal, meta(req)),
    );
    return this.pages.redirect(req, reply, `/admin/courses/${module.courseId}#module-${module.id}`, {
      kind: 'success',
      key: 'courses.flash.moduleAdded',
    });
  }

  private async renderEditor(
    req: FastifyRequest,
    reply: FastifyReply,
    courseId: string,
    form: ReturnType<typeof courseForm>,
    errors: Record<string, string>,
    status = 200,
  ) {
    const editor = await this.authoring.editor(courseId);
    const locale = req.locale;
    const active = editor.modules.filter((m) => !m.archivedAt);
    return this.pages.render(
      req,
      reply,
      'courses/admin-course',
      'courses.admin.editCourse',
      {
        course: { ...editor.course, displayTitle: pickText(editor.course.title, locale) },
        enrolments: editor.enrolments,
        form,
        errors,
        modules: editor.modules.map((m) => {
          const activeIndex = active.findIndex((a) => a.id === m.id);
          const liveLessons = m.lessons.filter((l) => !l.archivedAt);
          return {
            id: m.id,
            key: m.key,
            title: pickText(m.title, locale),
            archived: m.archivedAt !== null,
            origin: m.origin,
            checkQuestions: m.checkQuestions,
            checkTags: m.checkTags.join(', '),
            canUp: activeIndex > 0,
            canDown: activeIndex >= 0 && activeIndex < active.length - 1,
            lessons: m.lessons.map((l) => {
              const i = liveLessons.findIndex((x) => x.id === l.id);
              return {
                id: l.id,
                key: l.key,
                title: pickText(l.title, locale),
                minutes: l.minutes,
                archived: l.archivedAt !== null,
                origin: l.origin,
                hasEnglish: l.bodyLocales.includes('en'),
                canUp: i > 0,
                canDown: i >= 0 && i < liveLessons.length - 1,
              };
            }),
          };
        }),
      },
      status,
    );
  }

  private async renderModule(
    req: FastifyRequest,
    reply: FastifyReply,
    moduleId: string,
    form: { titleZh: string; titleEn: string; checkTags: string; checkQuestions: string },
    errors: Record<string, string>,
    status = 200,
  ) {
    const { module, course } = await this.authoring.module(moduleId);
    return this.pages.render(
      req,
      reply,
      'courses/admin-module',
      'courses.admin.editModule',
      {
        module,
        course: { id: course.id, title: pickText(course.title, req.locale) },
        form,
        errors,
        tags: await this.authoring.availableTags(),
      },
      status,
    );
  }

  private async renderLesson(
    req: FastifyRequest,
    reply: FastifyReply,
    lessonId: string,
    form: {
      titleZh: string;
      titleEn: string;
      bodyZh: string;
      bodyEn: string;
      minutes: string;
      attachments: string;
      videos: string;
      moduleId: string;
    },
    errors: Record<string, string>,
    preview: { zh: string; en: string | null } | null,
    status = 200,
  ) {
    const { lesson, course, modules } = await this.authoring.lesson(lessonId);
    return this.pages.render(
      req,
      reply,
      'courses/admin-lesson',
      'courses.admin.editLesson',
      {
        lesson: {
          id: lesson.id,
          key: lesson.key,
          origin: lesson.origin,
          archived: lesson.archivedAt !== null,
        },
        course: { id: course.id, title: pickText(course.title, req.locale), status: course.status },
        modules: modules.map((m) => ({
          id: m.id,
          title: pickText(m.title, req.locale),
          selected: m.id === form.moduleId,
        })),
        form,
        errors,
        preview,
      },
      status,
    );
  }
}
