import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Public } from '../../infra/http/access';
import { LocalAuthGuard } from './access/local-auth.guard';
import { User } from './accounts.types';
import { ApiTokensService } from './api-tokens.service';
import { AuthService, requestMeta } from './auth.service';
import { ChangePasswordDto, CreateTokenDto, LoginDto, UpdateMeDto } from './dto/auth.dto';

const me = (p: Principal) => ({ id: p.id, email: p.email, name: p.name, role: p.role, organisationId: p.organisationId, locale: p.locale });

@ApiTags('auth')
@Controller('api/v1')
export class AuthApiController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: ApiTokensService,
  ) {}

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @UseGuards(LocalAuthGuard)
  @ApiBody({ type: LoginDto })
  async login(@Req() req: FastifyRequest & { user: User }) {
    return me(await this.auth.startSession(req, req.user));
  }

  @Post('auth/logout')
  @Public()
  @HttpCode(200)
  async logout(@Req() req: FastifyRequest) {
    await this.auth.endSession(req);
    return { signedOut: true };
  }

  @Get('me')
  @Authenticated()
  get(@CurrentPrincipal() principal: Principal) {
    return me(principal);
  }

  @Patch('me')
  @Authenticated()
  async update(@Body() body: UpdateMeDto, @Req() req: FastifyRequest) {
    await this.auth.setLocale(req, body.locale);
    return me(req.principal!);
  }

  @Post('me/password')
  @Authenticated()
  @HttpCode(200)
  async changePassword(@Body() body: ChangePasswordDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    await this.auth.changePassword(principal, body.currentPassword, body.newPassword, body.confirmPassword, req);
    return { changed: true };
  }

  @Get('me/tokens')
  @Authenticated()
  listTokens(@CurrentPrincipal() principal: Principal) {
    return this.tokens.list(principal);
  }

  /** The token is in this response only; it is stored hashed and cannot be shown again. */
  @Post('me/tokens')
  @Authenticated()
  async createToken(@Body() body: CreateTokenDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const { token, apiToken } = await this.tokens.issue(principal, body.name, requestMeta(req));
    return { ...apiToken, token };
  }

  @Delete('me/tokens/:id')
  @Authenticated()
  @HttpCode(204)
  async revokeToken(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    await this.tokens.revoke(principal, id, requestMeta(req));
  }
}
