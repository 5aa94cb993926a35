import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Public, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import { CertificateLifecycleService } from './certificate-lifecycle.service';
import { CertificatesError } from './certificates.errors';
import { ownCertificate } from './certificates.presenters';
import { CertificatesService } from './certificates.service';
import { CertificateListQueryDto, RevocationDto, StaffCertificationQueryDto } from './dto/certificates.dto';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

/** Certificates through JSON, for holders, ISV managers and staff: the same services as the pages. */
@ApiTags('certificates')
@Controller('api/v1')
export class CertificatesApiController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly lifecycle: CertificateLifecycleService,
  ) {}

  @Get('me/certificates')
  @Authenticated()
  @ApiOperation({ summary: 'My certificates, newest first, with their verification and credential URLs' })
  async mine(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return { items: await this.certificates.mine({ ...principal, locale: req.locale }) };
  }

  @Get('certificates')
  @Roles('platform_staff')
  @ApiOperation({ summary: 'All certificates (staff): search by serial or name, filter by status, paginated' })
  async list(@Query() query: CertificateListQueryDto, @Req() req: FastifyRequest) {
    const page = await this.certificates.list({ q: query.q?.trim() || undefined, status: query.status }, pageRequest(query));
    return { ...page, items: page.items.map((c) => ({ ...ownCertificate(c, req.locale, this.certificates.publicBaseUrl), holderId: c.holderId, holderName: c.holderName })) };
  }

  @Post('certificates/:id/revocation')
  @Roles('platform_staff')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a certificate (staff) with a reason; 409 when it is already revoked' })
  async revoke(@Param('id') id: string, @Body() body: RevocationDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const revoked = await this.lifecycle.revokeByStaff(principal, id, body.reason, actorOf(principal, meta(req)));
    return { ...ownCertificate(revoked, req.locale, this.certificates.publicBaseUrl), holderId: revoked.holderId, holderName: revoked.holderName };
  }

  @Get('staff-certification')
  @Roles('isv_manager', 'platform_staff')
  @ApiOperation({ summary: "Certification status of my organisation's staff (ISV manager) or everyone (staff): active / expiring / expired / revoked / none" })
  staffCertification(@Query() query: StaffCertificationQueryDto, @CurrentPrincipal() principal: Principal) {
    return this.certificates.staffCertification(principal, { q: query.q?.trim() || undefined, certification: query.certification, organisationId: query.organisationId }, pageRequest(query));
  }
}

/** Public verification: anyone holding a code; no personal data beyond the certified name. */
@ApiTags('verification')
@Controller('api/v1')
@Public()
export class VerificationApiController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get('verify/:code')
  @Header('x-robots-tag', 'noindex, nofollow')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'The public record of a certificate: {serial, holderName, programme, issuedAt, expiresAt, status} (+ revokedAt)' })
  async verify(@Param('code') code: string, @Req() req: FastifyRequest) {
    const found = await this.certificates.verify(code, req.locale);
    if (!found) throw new CertificatesError('VERIFICATION_CODE_UNKNOWN');
    return found.view;
  }

  @Get('verify/:code/credential')
  @Header('x-robots-tag', 'noindex, nofollow')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'The signed Open Badges 3.0 credential (W3C VC with an eddsa-rdfc-2022 Data Integrity proof)' })
  credential(@Param('code') code: string) {
    return this.certificates.credential(code);
  }

  @Get('credentials/status/revocation')
  @Header('cache-control', 'no-cache')
  @ApiOperation({ summary: 'The signed Bitstring Status List of revoked certificates (purpose: revocation)' })
  statusList() {
    return this.certificates.revocationStatusList();
  }
}
