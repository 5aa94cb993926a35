/** Rows for tests, made through the real services so every rule applies. */
import { INestApplicationContext } from '@nestjs/common';
import { Role } from '../../src/infra/http/access';
import { UsersService } from '../../src/modules/accounts/users.service';
import { OrganisationsService, SYSTEM_ACTOR } from '../../src/modules/organisations/organisations.service';
import { OrganisationType } from '../../src/modules/organisations/organisations.types';

export const PASSWORD = 'correct-horse-battery';
let n = 0;

export async function makeOrganisation(app: INestApplicationContext, type: OrganisationType = 'isv', name?: string) {
  return app.get(OrganisationsService).create({ name: name ?? `Org ${++n} ${Date.now()}`, type }, SYSTEM_ACTOR);
}

export async function makeUser(app: INestApplicationContext, role: Role, organisationId: string | null = null, overrides: { email?: string; name?: string } = {}) {
  const id = ++n;
  const { user } = await app
    .get(UsersService)
    .create({ email: overrides.email ?? `${role}.${id}.${Date.now()}@test.example`, name: overrides.name ?? `${role} ${id}`, role, password: PASSWORD, organisationId }, SYSTEM_ACTOR);
  return user;
}
