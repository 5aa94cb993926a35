/**
 * Demo learning for `npm run demo` (call after the demo people exist; idempotent): loads the
 * shipped course, enrols candidate1 with a few lessons done, and assigns the course to
 * candidate2 (due in two weeks) and candidate3 (due in three days) on behalf of their managers.
 * Lessons already completed stay completed; assigning again only resets the due date.
 */
import { INestApplicationContext } from '@nestjs/common';
import { Principal } from '../../infra/http/access';
import { User } from '../accounts/accounts.types';
import { UsersService } from '../accounts/users.service';
import { SYSTEM_ACTOR } from '../organisations/organisations.service';
import { CourseContentLoader } from './content-loader';
import { CoursesService } from './courses.service';

const principalOf = (u: User): Principal => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  organisationId: u.organisationId,
  locale: u.locale,
  via: 'session',
});

export async function seedCourseDemo(
  app: INestApplicationContext,
): Promise<{ enrolled: number; lessonsCompleted: number }> {
  const actor = { ...SYSTEM_ACTOR, label: 'demo' };
  const [summary] = await app.get(CourseContentLoader).importAll(actor);
  if (!summary?.courseId) return { enrolled: 0, lessonsCompleted: 0 };
  const courses = app.get(CoursesService);
  const users = app.get(UsersService);
  const find = async (email: string) => users.findByEmail(email);
  let enrolled = 0;
  let lessonsCompleted = 0;

  const candidate1 = await find('candidate1@demo.example');
  if (candidate1) {
    const me = principalOf(candidate1);
    if ((await courses.enrol(me, summary.courseId, me.locale)).created) enrolled++;
    const outline = await courses.outline(me, summary.courseId, me.locale);
    for (const lesson of outline.modules[0]?.lessons.slice(0, 3) ?? []) {
      if (lesson.status !== 'completed') {
        await courses.completeLesson(me, lesson.id, actor);
        lessonsCompleted++;
      }
    }
  }
  const assignments: [string, string, number][] = [
    ['manager1@demo.example', 'candidate2@demo.example', 14],
    ['manager2@demo.example', 'candidate3@demo.example', 3],
  ];
  for (const [managerEmail, candidateEmail, days] of assignments) {
    const manager = await find(managerEmail);
    const candidate = await find(candidateEmail);
    if (!manager || !candidate) continue;
    const due = new Date(Date.now() + days * 86_400_000);
    const result = await courses.assign(
      principalOf(manager),
      summary.courseId,
      [candidate.email],
      due,
      actor,
    );
    enrolled += result.created;
  }
  return { enrolled, lessonsCompleted };
}
