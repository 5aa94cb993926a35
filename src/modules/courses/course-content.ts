/**
 * Reads a course shipped with the app (content/<course>/course.yaml + lessons/<file>.<locale>.md)
 * into a checked definition. Pure: the file reading is passed in, so it is unit-tested without
 * a disk. Keys are the stable identity of modules and lessons (learners' progress hangs on them).
 */
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { DEFAULT_LOCALE, LOCALES } from '../../infra/i18n/i18n';
import { isSafeUrl } from './markdown';
import { Link, LocalizedText } from './courses.types';

export interface LessonDefinition {
  key: string;
  title: LocalizedText;
  body: LocalizedText;
  minutes: number;
  attachments: Link[];
  videos: Link[];
}

export interface ModuleDefinition {
  key: string;
  title: LocalizedText;
  knowledgeCheck: { tags: string[]; questions: number } | null;
  lessons: LessonDefinition[];
}

export interface CourseDefinition {
  key: string;
  title: LocalizedText;
  summary: LocalizedText;
  requiredForCertification: boolean;
  modules: ModuleDefinition[];
  /** problems that do not stop the import (reported in the log) */
  warnings: string[];
}

export const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,99}$/;

export type BodyReader = (file: string, locale: string) => string | null;

export class CourseContentError extends Error {
  constructor(readonly problems: string[]) {
    super(`course content is invalid: ${problems.join('; ')}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(
  value: unknown,
  where: string,
  problems: string[],
  required = true,
  warnings: string[] = [],
): LocalizedText {
  if (typeof value === 'string') return { [DEFAULT_LOCALE]: value };
  if (!isRecord(value)) {
    if (required) problems.push(`${where}: give the text per language, e.g. { zh-CN: …, en: … }`);
    return {};
  }
  const out: LocalizedText = {};
  for (const [locale, t] of Object.entries(value)) {
    if (typeof t === 'string' && t.trim()) out[locale] = t.trim();
    // `{ en: A, b }` in YAML flow style splits at the comma: the text is cut and "b" becomes a key.
    else
      warnings.push(`${where}: "${locale}" is not a language with a text — quote texts that contain a comma`);
  }
  if (required && !out[DEFAULT_LOCALE]) problems.push(`${where}: the ${DEFAULT_LOCALE} text is missing`);
  return out;
}

function links(value: unknown, where: string, problems: string[]): Link[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push(`${where}: must be a list of { title, url }`);
    return [];
  }
  return value.flatMap((item, i) => {
    if (!isRecord(item) || typeof item.url !== 'string' || !isSafeUrl(item.url)) {
      problems.push(`${where}[${i}]: needs an http(s) url`);
      return [];
    }
    return [
      {
        title: typeof item.title === 'string' && item.title.trim() ? item.title.trim() : item.url,
        url: item.url,
      },
    ];
  });
}

export function parseCourseYaml(source: string, readBody: BodyReader): CourseDefinition {
  const problems: string[] = [];
  const warnings: string[] = [];
  let doc: unknown;
  try {
    doc = parse(source);
  } catch (error) {
    throw new CourseContentError([
      `course.yaml is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  if (!isRecord(doc))
    throw new CourseContentError(['course.yaml must be a mapping with key, title and modules']);
  const key = typeof doc.key === 'string' ? doc.key : '';
  if (!KEY_PATTERN.test(key)) problems.push(`key "${key}": use lower-case letters, digits and dashes`);
  const course: CourseDefinition = {
    key,
    title: text(doc.title, 'title', problems, true, warnings),
    summary: text(doc.summary, 'summary', problems, false, warnings),
    requiredForCertification: doc.requiredForCertification === true,
    modules: [],
    warnings,
  };
  const moduleKeys = new Set<string>();
  const lessonKeys = new Set<string>();
  const modules = Array.isArray(doc.modules) ? doc.modules : [];
  if (!modules.length) problems.push('modules: the course needs at least one module');
  modules.forEach((m: unknown, mi: number) => {
    const where = `modules[${mi}]`;
    if (!isRecord(m)) {
      problems.push(`${where}: must be a mapping`);
      return;
    }
    const mKey = typeof m.key === 'string' ? m.key : '';
    if (!KEY_PATTERN.test(mKey))
      problems.push(`${where}.key "${mKey}": use lower-case letters, digits and dashes`);
    else if (moduleKeys.has(mKey)) problems.push(`${where}.key "${mKey}" is used twice`);
    moduleKeys.add(mKey);
    let knowledgeCheck: ModuleDefinition['knowledgeCheck'] = null;
    if (m.knowledgeCheck !== undefined && m.knowledgeCheck !== null) {
      const kc = m.knowledgeCheck;
      const tags =
        isRecord(kc) && Array.isArray(kc.tags)
          ? kc.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== '')
          : [];
      const questions = isRecord(kc) && typeof kc.questions === 'number' ? kc.questions : 5;
      if (!tags.length) problems.push(`${where}.knowledgeCheck: needs at least one tag`);
      if (!Number.isInteger(questions) || questions < 1 || questions > 50)
        problems.push(`${where}.knowledgeCheck.questions: a whole number from 1 to 50`);
      knowledgeCheck = { tags, questions };
    }
    const module: ModuleDefinition = {
      key: mKey,
      title: text(m.title, `${where}.title`, problems, true, warnings),
      knowledgeCheck,
      lessons: [],
    };
    const lessons = Array.isArray(m.lessons) ? m.lessons : [];
    if (!lessons.length) problems.push(`${where}.lessons: the module needs at least one lesson`);
    lessons.forEach((l: unknown, li: number) => {
      const lw = `${where}.lessons[${li}]`;
      if (!isRecord(l)) {
        problems.push(`${lw}: must be a mapping`);
        return;
      }
      const lKey = typeof l.key === 'string' ? l.key : '';
      if (!KEY_PATTERN.test(lKey))
        problems.push(`${lw}.key "${lKey}": use lower-case letters, digits and dashes`);
      else if (lessonKeys.has(lKey)) problems.push(`${lw}.key "${lKey}" is used twice in the course`);
      lessonKeys.add(lKey);
      const file = typeof l.file === 'string' ? l.file : lKey;
      if (!/^[\w.-]+$/.test(file) || file.includes('..'))
        problems.push(`${lw}.file "${file}": a plain file name without folders`);
      const body: LocalizedText = {};
      for (const locale of LOCALES) {
        const content = readBody(file, locale);
        if (content !== null && content.trim()) body[locale] = content;
      }
      if (!body[DEFAULT_LOCALE])
        problems.push(`${lw}: lessons/${file}.${DEFAULT_LOCALE}.md is missing or empty`);
      const minutes = typeof l.minutes === 'number' ? l.minutes : 10;
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > 600)
        problems.push(`${lw}.minutes: a whole number from 1 to 600`);
      module.lessons.push({
        key: lKey,
        title: text(l.title, `${lw}.title`, problems, true, warnings),
        body,
        minutes,
        attachments: links(l.attachments, `${lw}.attachments`, problems),
        videos: links(l.videos, `${lw}.videos`, problems),
      });
    });
    course.modules.push(module);
  });
  if (problems.length) throw new CourseContentError(problems);
  return course;
}

/** Links typed one a line as `Title | https://…` (or only the address); lines that are not http(s) links are returned as bad. */
export function parseLinkLines(text: string | null | undefined): { links: Link[]; bad: string[] } {
  const links: Link[] = [];
  const bad: string[] = [];
  for (const raw of (text ?? '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    const bar = line.lastIndexOf('|');
    const title = bar >= 0 ? line.slice(0, bar).trim() : '';
    const url = (bar >= 0 ? line.slice(bar + 1) : line).trim();
    if (isSafeUrl(url)) links.push({ title: title || url, url });
    else bad.push(line);
  }
  return { links, bad };
}

export function linkLines(links: Link[]): string {
  return links.map((l) => (l.title && l.title !== l.url ? `${l.title} | ${l.url}` : l.url)).join('\n');
}

/** A stable hash of what the files say about one row: the loader rewrites a row only when it changes. */
export function definitionHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
