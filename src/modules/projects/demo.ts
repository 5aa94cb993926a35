/**
 * Demo TMIC projects for `npm run demo` (call after the demo people and certificates exist):
 * two projects of the demo brand, a role for every demo planner who holds a valid certificate
 * (the same rule as a real grant: people without one are skipped, not forced in), and one
 * delivery waiting for the brand's confirmation. Idempotent: what exists is kept.
 */
import { INestApplicationContext } from '@nestjs/common';
import { Principal } from '../../infra/http/access';
import { User } from '../accounts/accounts.types';
import { UsersService } from '../accounts/users.service';
import { OrganisationsService, SYSTEM_ACTOR } from '../organisations/organisations.service';
import { ProjectAccessService } from './project-access.service';
import { ProjectDeliveriesService } from './project-deliveries.service';
import { ProjectGrantsService } from './project-grants.service';
import { ProjectsError } from './projects.errors';
import { ProjectsService } from './projects.service';
import { GrantRole, ProjectStage } from './projects.types';

const principalOf = (u: User): Principal => ({ id: u.id, email: u.email, name: u.name, role: u.role, organisationId: u.organisationId, locale: u.locale, via: 'session' });

const BRAND = '燕麦星球 Oat Planet (demo brand)';
const STAFF = 'staff@demo.example';

const PROJECTS: { name: string; stage: ProjectStage; description: string; members: { email: string; role: GrantRole }[] }[] = [
  {
    name: '燕麦星球 · 燕麦奶新口味试销 Oat milk new flavour trial',
    stage: 'trial_sales_diagnosis',
    description: '30-day small-batch trial sale of two new oat-milk flavours; diagnose repeat purchase and decide on the launch.',
    members: [
      { email: 'candidate1@demo.example', role: 'lead' },
      { email: 'candidate2@demo.example', role: 'planner' },
      { email: 'candidate3@demo.example', role: 'viewer' },
    ],
  },
  {
    name: '燕麦星球 · 植物基零食趋势洞察 Plant-based snacks trends',
    stage: 'trend_intelligence',
    description: 'White-space categories in plant-based snacks from search and Data Bank audience trends.',
    members: [{ email: 'candidate1@demo.example', role: 'planner' }],
  },
];

export async function seedProjectsDemo(app: INestApplicationContext): Promise<{ projects: number; grants: number; skippedUncertified: string[]; deliveries: number }> {
  const users = app.get(UsersService);
  const staffUser = await users.findByEmail(STAFF);
  const brand = await app.get(OrganisationsService).findByName(BRAND);
  if (!staffUser || !brand) return { projects: 0, grants: 0, skippedUncertified: [], deliveries: 0 };
  const staff = principalOf(staffUser);
  const actor = { ...SYSTEM_ACTOR, id: staffUser.id, label: 'demo' };
  const projects = app.get(ProjectsService);
  const grants = app.get(ProjectGrantsService);
  const access = app.get(ProjectAccessService);
  const deliveries = app.get(ProjectDeliveriesService);
  const result = { projects: 0, grants: 0, skippedUncertified: [] as string[], deliveries: 0 };

  for (const demo of PROJECTS) {
    const found = (await projects.list(staff, { q: demo.name, brandOrganisationId: brand.id }, { page: 1, perPage: 1 })).items.find((p) => p.name === demo.name);
    const project = found ?? (await projects.create(staff, { brandOrganisationId: brand.id, name: demo.name, description: demo.description, stage: demo.stage, status: 'active' }, actor));
    if (!found) result.projects++;
    for (const member of demo.members) {
      const person = await users.findByEmail(member.email);
      if (!person) continue;
      if ((await access.certificateStanding(person.id)).problem) {
        if (!result.skippedUncertified.includes(member.email)) result.skippedUncertified.push(member.email);
        continue;
      }
      try {
        await grants.grant(staff, project.id, { person: { userId: person.id }, role: member.role }, actor);
        result.grants++;
      } catch (error) {
        if (!(error instanceof ProjectsError && error.code === 'ALREADY_GRANTED')) throw error;
      }
    }
  }

  // The trial sale was delivered by the first demo ISV two months ago; the brand has yet to confirm it.
  const trial = (await projects.list(staff, { q: PROJECTS[0].name, brandOrganisationId: brand.id }, { page: 1, perPage: 1 })).items[0];
  const deliveringIsv = (await deliveries.participatingIsvs(trial.id))[0];
  if (deliveringIsv) {
    try {
      await deliveries.recordDelivery(staff, trial.id, { organisationId: deliveringIsv.id, outcome: 'launched', deliveredAt: new Date(Date.now() - 60 * 86_400_000), note: 'Both flavours launched after the trial-sales diagnosis.' }, actor);
      result.deliveries++;
    } catch (error) {
      if (!(error instanceof ProjectsError && error.code === 'DELIVERY_EXISTS')) throw error;
    }
  }
  return result;
}
