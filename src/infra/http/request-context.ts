import type { Locale } from '../i18n/i18n';
import type { Principal } from './access';

export interface SessionPrincipal {
  userId: string;
  principal: Omit<Principal, 'via'>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the AccessGuard: the signed-in person, or null. */
    principal: Principal | null;
    /** The language for this request: the person's choice, the `lang` cookie, or Accept-Language. */
    locale: Locale;
  }
  interface Session {
    auth?: SessionPrincipal;
    flash?: { kind: 'success' | 'error' | 'info'; message: string };
    /** Language chosen before signing in; copied to the account at sign-in. */
    lang?: Locale;
  }
}
