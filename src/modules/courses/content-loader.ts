/**
 * Loads the courses shipped with the app (src/modules/courses/content/<course>/) when a web
 * process starts (gated on IMPORT_CONTENT_AT_START, like the question banks), and on demand
 * (tests, demo). Idempotent upsert by stable keys, in one transaction per course:
 *
 * - a course, module or lesson is inserted when its key is new, and rewritten only when what the
 *   files say about it changed since the last import (`source_hash`), so staff edits made in the
 *   authoring pages survive restarts until the file itself changes;
 * - a module or lesson removed from course.yaml is archived (kept with its progress for history,
 *   hidden from readers); one that comes back is restored with the same id;
 * - a new course is published at once; the publish state of an existing course is left alone;
 * - learners' progress, enrolments and attempts are never touched.
 * A broken course is reported and skipped; the app still starts.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { projectPath } from '../../infra/paths';
import { PROCESS_ROLES, ProcessRoles } from '../../infra/queue/process-roles';
import { AuditService } from '../audit/audit.service';
import { Actor, SYSTEM_ACTOR } from '../organisations/organisations.service';
import { CourseContentError, CourseDefinition, definitionHash, parseCourseYaml } from './course-content';
import { CoursesRepository } from './courses.repository';

export const COURSE_CONTENT_ROOT = projectPath('src', 'modules', 'courses', 'content');

/** source_hash of a row the loader archived because the files no longer list it (restored if it comes back). */
const REMOVED = 'removed-from-course-yaml';
const removedByLoader = (row: { archivedAt: Date | null; sourceHash: string | null }) =>
  row.archivedAt !== null && row.sourceHash?.trim() === REMOVED;

export interface CourseImportSummary {
  course: string;
  courseId: string | null;
  created: boolean;
  modules: { added: number; updated: number; archived: number; restored: number };
  lessons: { added: number; updated: number; archived: number; restored: number };
  errors: string[];
  warnings: string[];
}

/** Reads one course folder into a definition (throws CourseContentError with every problem). */
export function readCourseDirectory(dir: string): CourseDefinition {
  const yamlPath = join(dir, 'course.yaml');
  if (!existsSync(yamlPath)) throw new CourseContentError([`${yamlPath} is missing`]);
  return parseCourseYaml(readFileSync(yamlPath, 'utf8'), (file, locale) => {
    const path = join(dir, 'lessons', `${file}.${locale}.md`);
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  });
}

@Injectable()
export class CourseContentLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger('courses');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROCESS_ROLES) private readonly roles: ProcessRoles,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: CoursesRepository,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.roles.web || !this.config.importBanksAtStart) return;
    const summaries = await this.importAll({ ...SYSTEM_ACTOR, label: 'start-up import' });
    for (const s of summaries) {
      for (const e of s.errors) this.logger.error(`course ${s.course}: ${e}`);
      for (const w of s.warnings) this.logger.warn(`course ${s.course}: ${w}`);
      if (!s.errors.length) {
        this.logger.log(
          `course ${s.course}: ${s.created ? 'created' : 'checked'}; lessons +${s.lessons.added} ~${s.lessons.updated} archived ${s.lessons.archived} restored ${s.lessons.restored}`,
        );
      }
    }
  }

  /** Every course folder under content/ (or the given root). */
  async importAll(actor: Actor = SYSTEM_ACTOR, root = COURSE_CONTENT_ROOT): Promise<CourseImportSummary[]> {
    if (!existsSync(root)) return [];
    const dirs = readdirSync(root)
      .sort()
      .map((name) => join(root, name))
      .filter((p) => statSync(p).isDirectory() && existsSync(join(p, 'course.yaml')));
    const out: CourseImportSummary[] = [];
    for (const dir of dirs) out.push(await this.importDirectory(dir, actor));
    return out;
  }

  async importDirectory(dir: string, actor: Actor = SYSTEM_ACTOR): Promise<CourseImportSummary> {
    let definition: CourseDefinition;
    try {
      definition = readCourseDirectory(dir);
    } catch (error) {
      const errors =
        error instanceof CourseContentError
          ? error.problems
          : [error instanceof Error ? error.message : String(error)];
      return {
        course: dir,
        courseId: null,
        created: false,
        modules: zero(),
        lessons: zero(),
        errors,
        warnings: [],
      };
    }
    try {
      return await this.importDefinition(definition, actor);
    } catch (error) {
      // One course failing (e.g. a database constraint) must not stop the others or the start.
      return {
        course: definition.key,
        courseId: null,
        created: false,
        modules: zero(),
        lessons: zero(),
        errors: [error instanceof Error ? error.message : String(error)],
        warnings: definition.warnings,
      };
    }
  }

  async importDefinition(
    definition: CourseDefinition,
    actor: Actor = SYSTEM_ACTOR,
  ): Promise<CourseImportSummary> {
    return this.dataSource.transaction(async (manager) => {
      await this.repository.lockContentImport(manager);
      const summary: CourseImportSummary = {
        course: definition.key,
        courseId: null,
        created: false,
        modules: zero(),
        lessons: zero(),
        errors: [],
        warnings: [...definition.warnings],
      };
      const courseId = await this.upsertCourse(definition, manager, summary);
      summary.courseId = courseId;
      const moduleIds = await this.upsertModules(courseId, definition, manager, summary);
      await this.upsertLessons(courseId, definition, moduleIds, manager, summary);
      const changed =
        summary.created ||
        [summary.modules, summary.lessons].some((c) => c.added + c.updated + c.archived + c.restored > 0);
      if (changed) {
        await this.audit.record(
          {
            action: 'course.imported',
            actorId: actor.id,
            actorLabel: actor.label,
            targetType: 'course',
            targetId: courseId,
            targetLabel: definition.key,
            ip: actor.ip,
            requestId: actor.requestId,
            detail: { created: summary.created, modules: summary.modules, lessons: summary.lessons },
          },
          manager,
        );
      }
      return summary;
    });
  }

  private async upsertCourse(
    definition: CourseDefinition,
    manager: EntityManager,
    summary: CourseImportSummary,
  ): Promise<string> {
    const hash = definitionHash({
      title: definition.title,
      summary: definition.summary,
      required: definition.requiredForCertification,
    });
    const existing = await this.repository.findCourseWithHash(definition.key, manager);
    // Only one course can be the certification's required course; never steal the flag.
    const other = await this.repository.findRequiredCourse(manager);
    const required = definition.requiredForCertification && (!other || other.key === definition.key);
    if (definition.requiredForCertification && !required) {
      summary.warnings.push(
        `requiredForCertification ignored: "${other?.key}" is already the required course`,
      );
    }
    if (!existing) {
      summary.created = true;
      return this.repository.insertCourse(
        {
          key: definition.key,
          title: definition.title,
          summary: definition.summary,
          status: 'published',
          required,
          origin: 'content',
          sourceHash: hash,
          createdBy: null,
        },
        manager,
      );
    }
    if (existing.sourceHash !== hash) {
      await this.repository.updateCourse(
        existing.course.id,
        { title: definition.title, summary: definition.summary, required, sourceHash: hash },
        manager,
      );
    }
    return existing.course.id;
  }

  private async upsertModules(
    courseId: string,
    definition: CourseDefinition,
    manager: EntityManager,
    summary: CourseImportSummary,
  ): Promise<Map<string, string>> {
    const existing = await this.repository.moduleHashes(courseId, manager);
    const ids = new Map<string, string>();
    for (const [index, m] of definition.modules.entries()) {
      const position = (index + 1) * 10;
      const fields = {
        title: m.title,
        position,
        checkTags: m.knowledgeCheck?.tags ?? [],
        checkQuestions: m.knowledgeCheck?.questions ?? 0,
      };
      const hash = definitionHash(fields);
      const row = existing.find((e) => e.key === m.key);
      if (!row) {
        ids.set(
          m.key,
          await this.repository.insertModule(
            { courseId, key: m.key, ...fields, origin: 'content', sourceHash: hash },
            manager,
          ),
        );
        summary.modules.added++;
        continue;
      }
      ids.set(m.key, row.id);
      // Restored only if the loader archived it; a row staff archived stays archived.
      const restore = removedByLoader(row);
      if (row.sourceHash !== hash || restore) {
        await this.repository.updateModule(
          row.id,
          { ...fields, sourceHash: hash, archived: restore ? false : undefined },
          manager,
        );
        if (restore) summary.modules.restored++;
        else summary.modules.updated++;
      }
    }
    for (const row of existing) {
      if (row.origin === 'content' && !ids.has(row.key) && row.archivedAt === null) {
        await this.repository.updateModule(row.id, { archived: true, sourceHash: REMOVED }, manager);
        summary.modules.archived++;
      }
    }
    return ids;
  }

  private async upsertLessons(
    courseId: string,
    definition: CourseDefinition,
    moduleIds: Map<string, string>,
    manager: EntityManager,
    summary: CourseImportSummary,
  ): Promise<void> {
    const existing = await this.repository.lessonHashes(courseId, manager);
    const seen = new Set<string>();
    for (const m of definition.modules) {
      const moduleId = moduleIds.get(m.key)!;
      for (const [index, l] of m.lessons.entries()) {
        seen.add(l.key);
        const fields = {
          moduleId,
          title: l.title,
          body: l.body,
          minutes: l.minutes,
          attachments: l.attachments,
          videos: l.videos,
          position: (index + 1) * 10,
        };
        // The module is part of the hash by key (ids differ between databases).
        const hash = definitionHash({ ...fields, moduleId: m.key });
        const row = existing.find((e) => e.key === l.key);
        if (!row) {
          await this.repository.insertLesson(
            { courseId, key: l.key, ...fields, origin: 'content', sourceHash: hash },
            manager,
          );
          summary.lessons.added++;
          continue;
        }
        const restore = removedByLoader(row);
        if (row.sourceHash !== hash || restore) {
          await this.repository.updateLesson(
            row.id,
            { ...fields, sourceHash: hash, archived: restore ? false : undefined },
            manager,
          );
          if (restore) summary.lessons.restored++;
          else summary.lessons.updated++;
        }
      }
    }
    for (const row of existing) {
      if (row.origin === 'content' && !seen.has(row.key) && row.archivedAt === null) {
        await this.repository.updateLesson(row.id, { archived: true, sourceHash: REMOVED }, manager);
        summary.lessons.archived++;
      }
    }
  }
}

function zero() {
  return { added: 0, updated: 0, archived: 0, restored: 0 };
}
