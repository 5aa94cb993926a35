import { join } from 'node:path';
import {
  CourseContentError,
  linkLines,
  parseCourseYaml,
  parseLinkLines,
} from '../../../src/modules/courses/course-content';
import { COURSE_CONTENT_ROOT, readCourseDirectory } from '../../../src/modules/courses/content-loader';

const bodies = (map: Record<string, string>) => (file: string, locale: string) =>
  map[`${file}.${locale}`] ?? null;

const YAML = `
key: demo-course
title: { zh-CN: 演示, en: Demo }
modules:
  - key: m1
    title: { zh-CN: 模块一 }
    knowledgeCheck: { tags: [aipl], questions: 3 }
    lessons:
      - { key: l1, file: one, minutes: 7, title: { zh-CN: 第一课, en: Lesson one } }
      - key: l2
        title: { zh-CN: 第二课 }
        attachments: [{ title: Slides, url: "https://files.example/s.pdf" }]
`;

describe('course content files', () => {
  it('reads modules, lessons, both languages, minutes and knowledge checks', () => {
    const course = parseCourseYaml(
      YAML,
      bodies({ 'one.zh-CN': '# 一', 'one.en': '# One', 'l2.zh-CN': '# 二' }),
    );
    expect(course.key).toBe('demo-course');
    expect(course.requiredForCertification).toBe(false);
    expect(course.modules[0].knowledgeCheck).toEqual({ tags: ['aipl'], questions: 3 });
    expect(course.modules[0].lessons.map((l) => [l.key, l.minutes, Object.keys(l.body)])).toEqual([
      ['l1', 7, ['zh-CN', 'en']],
      ['l2', 10, ['zh-CN']],
    ]);
    expect(course.modules[0].lessons[1].attachments).toEqual([
      { title: 'Slides', url: 'https://files.example/s.pdf' },
    ]);
    expect(course.warnings).toEqual([]);
  });

  it('refuses duplicate keys, missing Chinese bodies and unsafe links, naming each problem', () => {
    const yaml = YAML.replace('key: l2', 'key: l1').replace(
      'https://files.example/s.pdf',
      'javascript:alert(1)',
    );
    let problems: string[] = [];
    try {
      parseCourseYaml(yaml, bodies({ 'one.en': '# One' }));
    } catch (error) {
      problems = (error as CourseContentError).problems;
    }
    expect(problems.join('\n')).toMatch(/"l1" is used twice/);
    expect(problems.join('\n')).toMatch(/one\.zh-CN\.md is missing/);
    expect(problems.join('\n')).toMatch(/attachments\[0\]: needs an http\(s\) url/);
  });

  it('warns about a title cut at an unquoted comma instead of failing the import', () => {
    const course = parseCourseYaml(
      YAML.replace('{ zh-CN: 模块一 }', '{ zh-CN: 模块一, en: Data, products }'),
      bodies({ 'one.zh-CN': '一', 'l2.zh-CN': '二' }),
    );
    expect(course.modules[0].title).toEqual({ 'zh-CN': '模块一', en: 'Data' });
    expect(course.warnings[0]).toMatch(/"products" is not a language/);
  });

  it('loads the shipped TMIC New-Product Planner course with every lesson in both languages', () => {
    const course = readCourseDirectory(join(COURSE_CONTENT_ROOT, 'tmic-new-product-planner'));
    expect(course.key).toBe('tmic-new-product-planner');
    expect(course.requiredForCertification).toBe(true);
    expect(course.modules).toHaveLength(6);
    const lessons = course.modules.flatMap((m) => m.lessons);
    expect(lessons).toHaveLength(23);
    for (const lesson of lessons) {
      expect(lesson.body['zh-CN'].length).toBeGreaterThan(200);
      expect(lesson.body.en.length).toBeGreaterThan(200);
    }
    expect(course.modules.every((m) => m.knowledgeCheck && m.knowledgeCheck.tags.length > 0)).toBe(true);
  });

  it('reads and writes attachment lines "Title | https://…"', () => {
    expect(
      parseLinkLines('Slides | https://a.example/s.pdf\nhttps://b.example\n\nbad | javascript:x'),
    ).toEqual({
      links: [
        { title: 'Slides', url: 'https://a.example/s.pdf' },
        { title: 'https://b.example', url: 'https://b.example' },
      ],
      bad: ['bad | javascript:x'],
    });
    expect(
      linkLines([
        { title: 'Slides', url: 'https://a.example/s.pdf' },
        { title: 'https://b.example', url: 'https://b.example' },
      ]),
    ).toBe('Slides | https://a.example/s.pdf\nhttps://b.example');
  });
});
