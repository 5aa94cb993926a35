import type { Role } from '../../infra/http/access';
import type { Locale } from '../../infra/i18n/i18n';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  organisationId: string | null;
  organisationName: string | null;
  locale: Locale;
  active: boolean;
  timeMultiplier: number;
  createdAt: Date;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  organisationId: string | null;
  locale?: Locale;
}

export interface UserChanges {
  name?: string;
  email?: string;
  role?: Role;
  organisationId?: string | null;
  locale?: Locale;
  active?: boolean;
  timeMultiplier?: number;
}

export interface UserFilter {
  q?: string;
  role?: Role;
  organisationId?: string;
  active?: boolean;
}

export interface ApiToken {
  id: string;
  name: string;
  tokenPrefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
