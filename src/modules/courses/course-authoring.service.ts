/**
 * Staff authoring: create and edit courses, modules and lessons, reorder them, preview Markdown,
 * publish. Editing a published course is live at once and never harms learners' progress:
 * lessons keep their ids (moving a lesson to another module keeps it too), and nothing is ever
 * deleted — removing a module or lesson archives it (history stays, readers no longer see it).
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { AuditService } from '../audit/audit.service';
import { Actor } from '../organisations/organisations.service';
import { QuestionBanksService } from '../question-banks/question-banks.service';
import { KEY_PATTERN } from './course-content';
import { CoursesError } from './courses.errors';
import { CourseAdminRow, CoursesRepository } from './courses.repository';
import { CourseRow, LessonRow, Link, LocalizedText, ModuleRow } from './courses.types';
import { renderMarkdown } from './markdown';

export interface CourseInput {
  key?: string | null;
  title: LocalizedText;
  summary: LocalizedText;
  requiredForCertification: boolean;
}

export interface ModuleInput {
  title: LocalizedText;
  checkTags: string[];
  checkQuestions: number;
}

export interface LessonInput {
  title: LocalizedText;
  body: LocalizedText;
  minutes: number;
  attachments: Link[];
  videos: Link[];
  moduleId?: string;
}

export interface CourseEditor {
  course: CourseRow;
  modules: (ModuleRow & { lessons: LessonRow[] })[];
  enrolments: number;
}

export type Direction = 'up' | 'down';

const newKey = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

@Injectable()
export class CourseAuthoringService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: CoursesRepository,
    private readonly audit: AuditService,
    private readonly banks: QuestionBanksService,
  ) {}

  async list(page: PageRequest): Promise<Page<CourseAdminRow>> {
    const { items, total } = await this.repository.listCoursesForAdmin(page);
    return toPage(items, total, page);
  }

  async editor(courseId: string): Promise<CourseEditor> {
    const course = await this.course(courseId);
    const modules = await this.repository.modulesOf(course.id, true);
    const lessons = await this.repository.lessonsOf(course.id, { includeArchived: true });
    return {
      course,
      modules: modules.map((m) => ({ ...m, lessons: lessons.filter((l) => l.moduleId === m.id) })),
      enrolments: await this.repository.enrolmentCount(course.id),
    };
  }

  async lesson(lessonId: string): Promise<{ lesson: LessonRow; course: CourseRow; modules: ModuleRow[] }> {
    const lesson = await this.repository.findLesson(lessonId);
    if (!lesson) throw new CoursesError('LESSON_NOT_FOUND');
    const course = await this.course(lesson.courseId);
    return { lesson, course, modules: await this.repository.modulesOf(course.id, true) };
  }

  async module(moduleId: string): Promise<{ module: ModuleRow; course: CourseRow; lessons: LessonRow[] }> {
    const module = await this.repository.findModule(moduleId);
    if (!module) throw new CoursesError('MODULE_NOT_FOUND');
    const course = await this.course(module.courseId);
    const lessons = (await this.repository.lessonsOf(course.id, { includeArchived: true })).filter(
      (l) => l.moduleId === module.id,
    );
    return { module, course, lessons };
  }

  /** Tags that have active questions, for the knowledge-check pick list. */
  availableTags(): Promise<{ tag: string; count: number }[]> {
    return this.banks.tagCounts();
  }

  preview(markdown: string): string {
    return renderMarkdown(markdown);
  }

  // ---- courses ------------------------------------------------------------------------------

  async createCourse(input: CourseInput, actor: Actor): Promise<CourseRow> {
    const key = input.key?.trim() || newKey('course');
    if (!KEY_PATTERN.test(key))
      throw new CoursesError('COURSE_KEY_TAKEN', { key }, { key: ['courses.validation.key'] });
    return this.dataSource.transaction(async (manager) => {
      if (await this.repository.findCourse(key, manager))
        throw new CoursesError('COURSE_KEY_TAKEN', { key }, { key: ['courses.errors.COURSE_KEY_TAKEN'] });
      await this.checkRequired(null, input.requiredForCertification, manager);
      const id = await this.repository.insertCourse(
        {
          key,
          title: input.title,
          summary: input.summary,
          status: 'draft',
          required: input.requiredForCertification,
          origin: 'authored',
          sourceHash: null,
          createdBy: actor.id,
        },
        manager,
      );
      await this.record(manager, actor, 'course.created', id, key, {});
      return (await this.repository.findCourse(id, manager))!;
    });
  }

  async updateCourse(courseId: string, input: CourseInput, actor: Actor): Promise<CourseRow> {
    return this.dataSource.transaction(async (manager) => {
      const course = await this.course(courseId, manager);
      await this.checkRequired(course.id, input.requiredForCertification, manager);
      await this.repository.updateCourse(
        course.id,
        { title: input.title, summary: input.summary, required: input.requiredForCertification },
        manager,
      );
      await this.record(manager, actor, 'course.updated', course.id, course.key, {
        course: { title: input.title, required: input.requiredForCertification },
      });
      return (await this.repository.findCourse(course.id, manager))!;
    });
  }

  async publish(courseId: string, actor: Actor): Promise<CourseRow> {
    return this.dataSource.transaction(async (manager) => {
      const course = await this.course(courseId, manager);
      const lessons = await this.repository.lessonsOf(course.id, { includeArchived: false }, manager);
      if (!lessons.length) throw new CoursesError('COURSE_EMPTY');
      if (course.status !== 'published') {
        await this.repository.setCourseStatus(course.id, 'published', manager);
        await this.record(manager, actor, 'course.published', course.id, course.key, {
          lessons: lessons.length,
        });
      }
      return (await this.repository.findCourse(course.id, manager))!;
    });
  }

  /** Back to draft: hidden from the catalogue; enrolments and progress stay for when it returns. */
  async unpublish(courseId: string, actor: Actor): Promise<CourseRow> {
    return this.dataSource.transaction(async (manager) => {
      const course = await this.course(courseId, manager);
      if (course.status !== 'draft') {
        await this.repository.setCourseStatus(course.id, 'draft', manager);
        await this.record(manager, actor, 'course.unpublished', course.id, course.key, {});
      }
      return (await this.repository.findCourse(course.id, manager))!;
    });
  }

  // ---- modules ------------------------------------------------------------------------------

  async addModule(courseId: string, input: ModuleInput, actor: Actor): Promise<ModuleRow> {
    return this.dataSource.transaction(async (manager) => {
      const course = await this.course(courseId, manager);
      const position = (await this.repository.maxModulePosition(course.id, manager)) + 10;
      const key = newKey('module');
      const id = await this.repository.insertModule(
        { courseId: course.id, key, ...input, position, origin: 'authored', sourceHash: null },
        manager,
      );
      await this.record(manager, actor, 'course.updated', course.id, course.key, { moduleAdded: key });
      return (await this.repository.findModule(id, manager))!;
    });
  }

  async updateModule(moduleId: string, input: ModuleInput, actor: Actor): Promise<ModuleRow> {
    return this.inModule(moduleId, actor, { moduleUpdated: true }, async (module, manager) => {
      await this.repository.updateModule(module.id, input, manager);
    });
  }

  async setModuleArchived(moduleId: string, archived: boolean, actor: Actor): Promise<ModuleRow> {
    return this.inModule(moduleId, actor, { moduleArchived: archived }, async (module, manager) => {
      await this.repository.updateModule(module.id, { archived }, manager);
    });
  }

  async moveModule(moduleId: string, direction: Direction, actor: Actor): Promise<ModuleRow> {
    return this.inModule(moduleId, actor, { moduleMoved: direction }, async (module, manager) => {
      const siblings = await this.repository.modulesOf(module.courseId, true, manager);
      await this.swap(siblings, module.id, direction, (id, position) =>
        this.repository.updateModule(id, { position }, manager),
      );
    });
  }

  // ---- lessons ------------------------------------------------------------------------------

  async addLesson(moduleId: string, input: LessonInput, actor: Actor): Promise<LessonRow> {
    return this.dataSource.transaction(async (manager) => {
      const module = await this.repository.findModule(moduleId, manager);
      if (!module) throw new CoursesError('MODULE_NOT_FOUND');
      const course = await this.course(module.courseId, manager);
      const position = (await this.repository.maxLessonPosition(module.id, manager)) + 10;
      const key = newKey('lesson');
      const id = await this.repository.insertLesson(
        {
          courseId: course.id,
          moduleId: module.id,
          key,
          title: input.title,
          body: input.body,
          minutes: input.minutes,
          attachments: input.attachments,
          videos: input.videos,
          position,
          origin: 'authored',
          sourceHash: null,
        },
        manager,
      );
      await this.record(manager, actor, 'course.updated', course.id, course.key, { lessonAdded: key });
      return (await this.repository.findLesson(id, manager))!;
    });
  }

  async updateLesson(lessonId: string, input: LessonInput, actor: Actor): Promise<LessonRow> {
    return this.inLesson(lessonId, actor, { lessonUpdated: true }, async (lesson, manager) => {
      let moduleId: string | undefined;
      let position: number | undefined;
      if (input.moduleId && input.moduleId !== lesson.moduleId) {
        const target = await this.repository.findModule(input.moduleId, manager);
        if (!target || target.courseId !== lesson.courseId)
          throw new CoursesError('MODULE_NOT_FOUND', {}, { moduleId: ['courses.errors.MODULE_NOT_FOUND'] });
        moduleId = target.id;
        position = (await this.repository.maxLessonPosition(target.id, manager)) + 10;
      }
      await this.repository.updateLesson(
        lesson.id,
        {
          title: input.title,
          body: input.body,
          minutes: input.minutes,
          attachments: input.attachments,
          videos: input.videos,
          moduleId,
          position,
        },
        manager,
      );
    });
  }

  async setLessonArchived(lessonId: string, archived: boolean, actor: Actor): Promise<LessonRow> {
    return this.inLesson(lessonId, actor, { lessonArchived: archived }, async (lesson, manager) => {
      await this.repository.updateLesson(lesson.id, { archived }, manager);
    });
  }

  async moveLesson(lessonId: string, direction: Direction, actor: Actor): Promise<LessonRow> {
    return this.inLesson(lessonId, actor, { lessonMoved: direction }, async (lesson, manager) => {
      const siblings = (
        await this.repository.lessonsOf(lesson.courseId, { includeArchived: true }, manager)
      ).filter((l) => l.moduleId === lesson.moduleId);
      await this.swap(siblings, lesson.id, direction, (id, position) =>
        this.repository.updateLesson(id, { position }, manager),
      );
    });
  }

  // ---- helpers ------------------------------------------------------------------------------

  private async course(courseId: string, manager?: EntityManager): Promise<CourseRow> {
    const course = await this.repository.findCourse(courseId, manager);
    if (!course) throw new CoursesError('COURSE_NOT_FOUND');
    return course;
  }

  private async checkRequired(
    courseId: string | null,
    required: boolean,
    manager: EntityManager,
  ): Promise<void> {
    if (!required) return;
    const current = await this.repository.findRequiredCourse(manager);
    if (current && current.id !== courseId) {
      throw new CoursesError(
        'REQUIRED_COURSE_EXISTS',
        { key: current.key },
        { requiredForCertification: ['courses.errors.REQUIRED_COURSE_EXISTS'] },
      );
    }
  }

  /** Reorders by renumbering the siblings (10, 20, …) with the item swapped with its neighbour. */
  private async swap<T extends { id: string }>(
    siblings: T[],
    id: string,
    direction: Direction,
    setPosition: (id: string, position: number) => Promise<void>,
  ): Promise<void> {
    const index = siblings.findIndex((s) => s.id === id);
    const other = direction === 'up' ? index - 1 : index + 1;
    if (index < 0 || other < 0 || other >= siblings.length) return;
    const order = [...siblings];
    [order[index], order[other]] = [order[other], order[index]];
    for (const [i, s] of order.entries()) await setPosition(s.id, (i + 1) * 10);
  }

  private async inModule(
    moduleId: string,
    actor: Actor,
    detail: Record<string, unknown>,
    work: (module: ModuleRow, manager: EntityManager) => Promise<void>,
  ): Promise<ModuleRow> {
    return this.dataSource.transaction(async (manager) => {
      const module = await this.repository.findModule(moduleId, manager);
      if (!module) throw new CoursesError('MODULE_NOT_FOUND');
      const course = await this.course(module.courseId, manager);
      await work(module, manager);
      await this.repository.touchCourse(course.id, manager);
      await this.record(manager, actor, 'course.updated', course.id, course.key, {
        module: module.key,
        ...detail,
      });
      return (await this.repository.findModule(module.id, manager))!;
    });
  }

  private async inLesson(
    lessonId: string,
    actor: Actor,
    detail: Record<string, unknown>,
    work: (lesson: LessonRow, manager: EntityManager) => Promise<void>,
  ): Promise<LessonRow> {
    return this.dataSource.transaction(async (manager) => {
      const lesson = await this.repository.findLesson(lessonId, manager);
      if (!lesson) throw new CoursesError('LESSON_NOT_FOUND');
      const course = await this.course(lesson.courseId, manager);
      await work(lesson, manager);
      await this.repository.touchCourse(course.id, manager);
      await this.record(manager, actor, 'course.updated', course.id, course.key, {
        lesson: lesson.key,
        ...detail,
      });
      return (await this.repository.findLesson(lesson.id, manager))!;
    });
  }

  private record(
    manager: EntityManager,
    actor: Actor,
    action: 'course.created' | 'course.updated' | 'course.published' | 'course.unpublished',
    courseId: string,
    key: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    return this.audit.record(
      {
        action,
        actorId: actor.id,
        actorLabel: actor.label,
        targetType: 'course',
        targetId: courseId,
        targetLabel: key,
        ip: actor.ip,
        requestId: actor.requestId,
        detail,
      },
      manager,
    );
  }
}
