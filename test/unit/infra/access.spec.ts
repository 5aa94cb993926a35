import { Principal, scopeOf } from '../../../src/infra/http/access';
import { passwordProblem } from '../../../src/modules/accounts/password';
import { pageRequest, toPage } from '../../../src/infra/http/pagination';

const principal = (role: Principal['role'], organisationId: string | null = null): Principal => ({
  id: 'u1',
  email: 'a@b.c',
  name: 'A',
  role,
  organisationId,
  locale: 'zh-CN',
  via: 'session',
});

describe('data scope by role', () => {
  it('gives staff everyone, a manager their organisation, and candidates and proctors themselves', () => {
    expect(scopeOf(principal('platform_staff'))).toEqual({ kind: 'all' });
    expect(scopeOf(principal('isv_manager', 'org1'))).toEqual({ kind: 'organisation', organisationId: 'org1' });
    expect(scopeOf(principal('isv_manager', null))).toEqual({ kind: 'self', userId: 'u1' });
    expect(scopeOf(principal('candidate', 'org1'))).toEqual({ kind: 'self', userId: 'u1' });
    expect(scopeOf(principal('proctor'))).toEqual({ kind: 'self', userId: 'u1' });
  });
});

describe('password rules', () => {
  it('refuses short passwords and the email as password', () => {
    expect(passwordProblem('short')).toBe('accounts.errors.passwordTooShort');
    expect(passwordProblem('me@example.com', 'ME@example.com')).toBe('accounts.errors.passwordIsEmail');
    expect(passwordProblem('x'.repeat(201))).toBe('accounts.errors.passwordTooLong');
    expect(passwordProblem('a good long password')).toBeNull();
  });
});

describe('pagination', () => {
  it('clamps page and size and counts pages', () => {
    expect(pageRequest({})).toEqual({ page: 1, perPage: 25 });
    expect(pageRequest({ page: '-3', perPage: '1000' })).toEqual({ page: 1, perPage: 100 });
    expect(toPage([1, 2], 51, { page: 2, perPage: 25 })).toMatchObject({ total: 51, totalPages: 3 });
  });
});
