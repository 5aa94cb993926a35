import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal } from '../../infra/http/access';
import { NavRegistry } from '../../infra/http/nav';
import { WebPages } from '../../infra/http/web-pages';

/** The signed-in landing page: a short welcome and the role's main places as cards. */
@Controller()
export class HomeController {
  constructor(
    private readonly pages: WebPages,
    private readonly nav: NavRegistry,
  ) {}

  @Get()
  @Authenticated()
  home(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const cards = this.nav.for(principal.role).filter((item) => item.href !== '/' && item.href !== '/account');
    return this.pages.render(req, reply, 'home/index', 'home.title', { cards, roleKey: `roles.${principal.role}` });
  }
}
