/**
 * `npm run demo`: loads demo organisations and people (idempotently: existing ones are kept as
 * they are), then the app starts as usual. Credentials are listed in the README.
 */
import { INestApplicationContext } from '@nestjs/common';
import { withAppContext } from '../../infra/boot/app-context';
import { AppConfig } from '../../infra/config/config';
import { Role } from '../../infra/http/access';
import { OrganisationsService, SYSTEM_ACTOR } from '../organisations/organisations.service';
import { OrganisationType } from '../organisations/organisations.types';
import { UsersService } from '../accounts/users.service';
import { seedCourseDemo } from '../courses/demo';
import { seedIsvContributionsDemo } from '../isv-contributions/demo';
import { seedCertificatesDemo } from '../certificates/demo';
import { seedProjectsDemo } from '../projects/demo';
import { seedIsvScoringDemo } from '../isv-scoring/demo';

export const DEMO_PASSWORD = 'demo-password-2026';

const ORGANISATIONS: { key: string; name: string; type: OrganisationType }[] = [
  { key: 'brand', name: '燕麦星球 Oat Planet (demo brand)', type: 'brand' },
  { key: 'isv1', name: '星河数据 Galaxy Data (demo ISV)', type: 'isv' },
  { key: 'isv2', name: '青禾营销 Qinghe Marketing (demo ISV)', type: 'isv' },
];

const PEOPLE: { email: string; name: string; role: Role; org: string | null }[] = [
  { email: 'staff@demo.example', name: '平台运营 王敏', role: 'platform_staff', org: null },
  { email: 'proctor@demo.example', name: '监考员 李静', role: 'proctor', org: null },
  { email: 'manager1@demo.example', name: '星河经理 陈涛', role: 'isv_manager', org: 'isv1' },
  { email: 'manager2@demo.example', name: '青禾经理 刘洋', role: 'isv_manager', org: 'isv2' },
  { email: 'candidate1@demo.example', name: '策划师 张伟', role: 'candidate', org: 'isv1' },
  { email: 'candidate2@demo.example', name: '策划师 赵丽', role: 'candidate', org: 'isv1' },
  { email: 'candidate3@demo.example', name: '策划师 孙悦', role: 'candidate', org: 'isv2' },
  { email: 'candidate4@demo.example', name: '品牌经理 周婷', role: 'candidate', org: 'brand' },
];

export async function seedDemo(app: INestApplicationContext): Promise<{ organisations: number; people: number }> {
  const organisations = app.get(OrganisationsService);
  const users = app.get(UsersService);
  const actor = { ...SYSTEM_ACTOR, label: 'demo' };
  const ids = new Map<string, string>();
  let createdOrgs = 0;
  let createdPeople = 0;
  for (const org of ORGANISATIONS) {
    const existing = await organisations.findByName(org.name);
    if (existing) ids.set(org.key, existing.id);
    else {
      ids.set(org.key, (await organisations.create({ name: org.name, type: org.type }, actor)).id);
      createdOrgs++;
    }
  }
  for (const person of PEOPLE) {
    if (await users.findByEmail(person.email)) continue;
    await users.create(
      { email: person.email, name: person.name, role: person.role, password: DEMO_PASSWORD, organisationId: person.org ? ids.get(person.org)! : null },
      actor,
    );
    createdPeople++;
  }
  return { organisations: createdOrgs, people: createdPeople };
}

export async function loadDemoData(config: AppConfig): Promise<void> {
  const result = await withAppContext(async (app) => {
    const seeded = await seedDemo(app);
    await seedCourseDemo(app);
    await seedIsvContributionsDemo(app);
    // Certificates before projects: candidate1 certified, candidate2 expiring inside the renewal window.
    await seedCertificatesDemo(app);
    // Projects last: grants go only to demo planners who already hold a valid certificate.
    const projects = await seedProjectsDemo(app);
    if (projects.skippedUncertified.length) process.stdout.write(`demo projects: no grant for ${projects.skippedUncertified.join(', ')} (no valid certificate)\n`);
    // Scores last: every ISV scored once from the inputs above.
    await seedIsvScoringDemo(app);
    return seeded;
  }, config);
  process.stdout.write(`demo data: ${result.organisations} organisation(s) and ${result.people} person(s) added (password for all demo accounts: ${DEMO_PASSWORD})\n`);
}
