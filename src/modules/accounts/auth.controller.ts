import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Public } from '../../infra/http/access';
import { AppError } from '../../infra/http/app-error';
import { isLocale, translate } from '../../infra/i18n/i18n';
import { WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { LocalAuthGuard } from './access/local-auth.guard';
import { User } from './accounts.types';
import { ApiTokensService } from './api-tokens.service';
import { AuthService, requestMeta } from './auth.service';
import { ChangePasswordDto, CreateTokenDto } from './dto/auth.dto';

/** Only same-site paths are followed after sign-in (no open redirect). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: ApiTokensService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get('login')
  @Public()
  loginPage(@Query('next') next: string | undefined, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (req.principal) return reply.redirect(safeNext(next), 303);
    return this.pages.render(req, reply, 'accounts/login', 'auth.signIn', { next: safeNext(next), email: '', error: null });
  }

  @Post('login')
  @Public()
  async login(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const guard = this.loginGuard;
    try {
      // The same Passport guard as the API, run by hand so a failure re-renders the form.
      await guard.canActivate({ switchToHttp: () => ({ getRequest: () => req, getResponse: () => reply }), getType: () => 'http', getClass: () => AuthController, getHandler: () => this.login } as never);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const status = error.status === 429 ? 429 : error.status === 400 ? 400 : 401;
      return this.pages.render(
        req,
        reply,
        'accounts/login',
        'auth.signIn',
        { next: safeNext(body.next), email: typeof body.email === 'string' ? body.email : '', error: translate(req.locale, error.messageKey, error.params) },
        status,
      );
    }
    await this.auth.startSession(req, (req as FastifyRequest & { user: User }).user);
    return reply.redirect(safeNext(body.next), 303);
  }

  private readonly loginGuard = new LocalAuthGuard();

  @Post('logout')
  @Public()
  async logout(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.auth.endSession(req);
    return reply.redirect('/login', 303);
  }

  /** Language switch: remembered on the account when signed in, in the session otherwise. */
  @Post('language')
  @Public()
  async language(@Body() body: { locale?: string; next?: string }, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    if (isLocale(body.locale)) {
      await this.auth.setLocale(req, body.locale);
      void reply.setCookie('lang', body.locale, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 24 * 3600 });
    }
    return reply.redirect(safeNext(body.next), 303);
  }

  @Get('account')
  @Authenticated()
  async account(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.renderAccount(req, reply, principal, {});
  }

  @Post('account/password')
  @Authenticated()
  async password(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forms.handle(req, reply, ChangePasswordDto, body, {
      run: (dto) => this.auth.changePassword(principal, dto.currentPassword, dto.newPassword, dto.confirmPassword ?? '', req),
      success: () => this.pages.redirect(req, reply, '/account', { kind: 'success', key: 'account.passwordChanged' }),
      failure: (errors) => this.renderAccount(req, reply, principal, { passwordErrors: errors }, 400),
    });
  }

  @Post('account/tokens')
  @Authenticated()
  async createToken(@Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    let created: { token: string; name: string } | null = null;
    return this.forms.handle(req, reply, CreateTokenDto, body, {
      run: async (dto) => {
        const { token, apiToken } = await this.tokens.issue(principal, dto.name, requestMeta(req));
        created = { token, name: apiToken.name };
      },
      success: () => this.renderAccount(req, reply, principal, { newToken: created }),
      failure: (errors) => this.renderAccount(req, reply, principal, { tokenErrors: errors }, 400),
    });
  }

  @Post('account/tokens/revoke')
  @Authenticated()
  async revokeToken(@Body() body: { id?: string }, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    await this.tokens.revoke(principal, String(body.id ?? ''), requestMeta(req));
    return this.pages.redirect(req, reply, '/account', { kind: 'success', key: 'account.tokenRevoked' });
  }


  private async renderAccount(req: FastifyRequest, reply: FastifyReply, principal: Principal, extra: Record<string, unknown>, status = 200) {
    const tokens = await this.tokens.list(principal);
    return this.pages.render(req, reply, 'accounts/account', 'account.title', { tokens, newToken: null, passwordErrors: {}, tokenErrors: {}, ...extra }, status);
  }

}
