import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated, CurrentPrincipal, Principal, Public, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { WebForm } from '../../infra/http/web-form';
import { WebPages } from '../../infra/http/web-pages';
import { translate } from '../../infra/i18n/i18n';
import { actorOf, OrganisationsService } from '../organisations/organisations.service';
import { CertificateDocumentsService } from './certificate-documents.service';
import { CertificateLifecycleService } from './certificate-lifecycle.service';
import { CertificatesError } from './certificates.errors';
import { linkedInAddToProfileUrl, ownCertificate } from './certificates.presenters';
import { CertificatesService } from './certificates.service';
import { CERTIFICATE_STATUSES, CERTIFICATION_STANDINGS } from './certificates.types';
import { CertificateListQueryDto, PdfQueryDto, RevocationDto, StaffCertificationQueryDto } from './dto/certificates.dto';

const meta = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

/** The holder's pages: my certificates, one certificate (PDF, QR, verification link, add to profile). */
@Controller('certificates')
@Authenticated()
export class CertificatesController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly documents: CertificateDocumentsService,
    private readonly pages: WebPages,
  ) {}

  @Get()
  async mine(@CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const items = await this.certificates.mine({ ...principal, locale: req.locale });
    return this.pages.render(req, reply, 'certificates/mine', 'certificates.mine.title', { items });
  }

  @Get(':id')
  async detail(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const record = await this.certificates.forViewer(principal, id);
    const certificate = ownCertificate(record, req.locale, this.certificates.publicBaseUrl);
    return this.pages.render(req, reply, 'certificates/detail', 'certificates.detail.title', {
      certificate,
      holderName: record.holderName,
      isHolder: record.holderId === principal.id,
      isStaff: principal.role === 'platform_staff',
      qrUrl: `/verify/${encodeURIComponent(record.verificationCode)}/qr.svg`,
      linkedInUrl: linkedInAddToProfileUrl(record, certificate.verificationUrl, req.locale),
      revocable: principal.role === 'platform_staff' && record.status !== 'revoked',
      form: { reason: '' },
      errors: {},
    });
  }

  @Get(':id/certificate.pdf')
  async pdf(@Param('id') id: string, @Query() query: PdfQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const record = await this.certificates.forViewer(principal, id);
    const lang = query.lang ?? req.locale;
    const pdf = await this.documents.pdf(record, lang);
    return reply
      .header('content-disposition', `attachment; filename="${record.serial}-${lang}.pdf"`)
      .header('cache-control', 'private, no-store')
      .type('application/pdf')
      .send(pdf);
  }
}

/** The public verification page and its QR code: no sign-in, no personal data beyond the name. */
@Controller('verify')
@Public()
export class VerificationController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly documents: CertificateDocumentsService,
    private readonly pages: WebPages,
  ) {}

  @Get(':code')
  async page(@Param('code') code: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.header('x-robots-tag', 'noindex, nofollow').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    const found = await this.certificates.verify(code, req.locale);
    if (!found) return this.pages.render(req, reply, 'certificates/verify-unknown', 'certificates.verify.unknownTitle', {}, 404);
    return this.pages.render(req, reply, 'certificates/verify', 'certificates.verify.title', {
      view: found.view,
      qrUrl: `/verify/${encodeURIComponent(code)}/qr.svg`,
      verificationUrl: this.documents.verificationUrl(code),
      credentialUrl: `/api/v1/verify/${encodeURIComponent(code)}/credential`,
    });
  }

  @Get(':code/qr.svg')
  async qr(@Param('code') code: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const found = await this.certificates.verify(code, req.locale);
    if (!found) throw new CertificatesError('VERIFICATION_CODE_UNKNOWN');
    return reply.header('x-robots-tag', 'noindex').header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(await this.documents.qrSvg(code));
  }
}

/** Staff: every certificate, search and filter, and revocation with a reason. */
@Controller('admin/certificates')
@Roles('platform_staff')
export class CertificatesAdminController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly lifecycle: CertificateLifecycleService,
    private readonly pages: WebPages,
    private readonly forms: WebForm,
  ) {}

  @Get()
  async list(@Query() query: CertificateListQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const page = await this.certificates.list({ q: query.q?.trim() || undefined, status: query.status }, pageRequest(query));
    return this.pages.render(req, reply, 'certificates/admin-list', 'certificates.admin.title', {
      page: { ...page, items: page.items.map((c) => ({ ...ownCertificate(c, req.locale, this.certificates.publicBaseUrl), holderName: c.holderName, holderId: c.holderId })) },
      query: { q: query.q ?? '', status: query.status ?? '' },
      statuses: CERTIFICATE_STATUSES,
    });
  }

  @Post(':id/revocation')
  async revoke(@Param('id') id: string, @Body() body: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forms.handle(req, reply, RevocationDto, { reason: body.reason }, {
      run: (dto) => this.lifecycle.revokeByStaff(principal, id, dto.reason, actorOf(principal, meta(req))),
      success: (revoked) => this.pages.redirect(req, reply, `/certificates/${revoked.id}`, { kind: 'success', key: 'certificates.flash.revoked', params: { serial: revoked.serial } }),
      failure: async (errors) => {
        const record = await this.certificates.forViewer(principal, id);
        const certificate = ownCertificate(record, req.locale, this.certificates.publicBaseUrl);
        return this.pages.render(
          req,
          reply,
          'certificates/detail',
          'certificates.detail.title',
          {
            certificate,
            holderName: record.holderName,
            isHolder: record.holderId === principal.id,
            isStaff: true,
            qrUrl: `/verify/${encodeURIComponent(record.verificationCode)}/qr.svg`,
            linkedInUrl: linkedInAddToProfileUrl(record, certificate.verificationUrl, req.locale),
            revocable: record.status !== 'revoked',
            form: { reason: typeof body.reason === 'string' ? body.reason : '' },
            errors,
          },
          400,
        );
      },
    });
  }
}

/** ISV managers (their staff) and platform staff (everyone): who is certified, expiring, lapsed. */
@Controller('staff-certification')
@Roles('isv_manager', 'platform_staff')
export class StaffCertificationController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly organisations: OrganisationsService,
    private readonly pages: WebPages,
  ) {}

  @Get()
  async table(@Query() query: StaffCertificationQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const isStaff = principal.role === 'platform_staff';
    const page = await this.certificates.staffCertification(principal, this.filterOf(query), pageRequest(query));
    return this.pages.render(req, reply, 'certificates/staff-certification', isStaff ? 'certificates.staff.titleAll' : 'certificates.staff.title', {
      page,
      query: { q: query.q ?? '', certification: query.certification ?? '', organisationId: isStaff ? (query.organisationId ?? '') : '' },
      isStaff,
      standings: CERTIFICATION_STANDINGS,
      organisations: isStaff ? await this.organisations.options() : [],
    });
  }

  @Get('export.csv')
  async csv(@Query() query: StaffCertificationQueryDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const csv = await this.certificates.staffCertificationCsv(principal, this.filterOf(query), req.locale);
    const stamp = new Date().toISOString().slice(0, 10);
    return reply
      .header('content-disposition', `attachment; filename="${translate('en', 'certificates.staff.csvName')}-${stamp}.csv"`)
      .type('text/csv; charset=utf-8')
      .send(csv);
  }

  private filterOf(query: StaffCertificationQueryDto) {
    return { q: query.q?.trim() || undefined, certification: query.certification, organisationId: query.organisationId };
  }
}
