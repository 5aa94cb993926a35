import { INestApplicationContext } from '@nestjs/common';
import { ROLES, Role } from '../../infra/http/access';
import { AppError } from '../../infra/http/app-error';
import { parseArgs, required, UsageError } from '../../infra/boot/args';
import { translate } from '../../infra/i18n/i18n';
import { OrganisationsService, SYSTEM_ACTOR } from '../organisations/organisations.service';
import { ORGANISATION_TYPES, OrganisationType } from '../organisations/organisations.types';
import { UsersService } from './users.service';

const CLI_ACTOR = { ...SYSTEM_ACTOR, label: 'cli' };

function explain(error: unknown): never {
  if (error instanceof AppError) {
    const fields = error.fields ? ' ' + Object.entries(error.fields).map(([f, m]) => `${f}: ${m.map((x) => translate('en', x)).join(' ')}`).join('; ') : '';
    throw new UsageError(translate('en', error.messageKey, error.params) + fields);
  }
  throw error;
}

export const ORG_CREATE_USAGE = 'org:create --name NAME --type isv|brand';
export async function orgCreate(app: INestApplicationContext, argv: string[]): Promise<unknown> {
  const { options } = parseArgs(argv);
  const name = required(options, 'name', ORG_CREATE_USAGE);
  const type = required(options, 'type', ORG_CREATE_USAGE);
  if (!(ORGANISATION_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be isv or brand (got "${type}")`);
  if (name.length > 200) throw new UsageError('--name may have at most 200 characters');
  return app.get(OrganisationsService).create({ name, type: type as OrganisationType }, CLI_ACTOR).catch(explain);
}

export const USER_CREATE_USAGE = 'user:create --email E --name N --role candidate|isv_manager|proctor|platform_staff --password P [--org ID]';
export async function userCreate(app: INestApplicationContext, argv: string[]): Promise<unknown> {
  const { options } = parseArgs(argv);
  const email = required(options, 'email', USER_CREATE_USAGE);
  const name = required(options, 'name', USER_CREATE_USAGE);
  const role = required(options, 'role', USER_CREATE_USAGE);
  const password = required(options, 'password', USER_CREATE_USAGE);
  const org = options.get('org');
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${role}")`);
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new UsageError(`--email "${email}" is not an email address`);
  if (org !== undefined && (typeof org !== 'string' || !/^[0-9a-f-]{36}$/i.test(org))) throw new UsageError('--org must be an organisation id (a UUID, as printed by org:create)');
  const { user } = await app
    .get(UsersService)
    .create({ email, name, role: role as Role, password, organisationId: typeof org === 'string' ? org : null }, CLI_ACTOR)
    .catch(explain);
  return user;
}
