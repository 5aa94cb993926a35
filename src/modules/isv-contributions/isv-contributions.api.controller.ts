import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, Roles } from '../../infra/http/access';
import { pageRequest } from '../../infra/http/pagination';
import { actorOf } from '../organisations/organisations.service';
import {
  ApprovalDto,
  CreateContributionDto,
  CreateProductDto,
  ProductListQueryDto,
  QueueQueryDto,
  RejectionDto,
  SubmissionListQueryDto,
  UpdateContributionDto,
  UpdateProductDto,
} from './dto/isv-contributions.dto';
import { detailJson, metaOf, pageJson, submissionJson, uploadsOf } from './isv-contributions.presenters';
import { IsvContributionsService } from './isv-contributions.service';
import { isInlineType } from './submission-rules';

/**
 * Contributions and co-built products as JSON (session or API token). An ISV manager reads and
 * writes their own ISV's records only (403 otherwise); platform staff read all and review.
 */
@ApiTags('isv-contributions')
@Controller('api/v1')
@Roles('isv_manager', 'platform_staff')
export class IsvContributionsApiController {
  constructor(private readonly submissions: IsvContributionsService) {}

  // ---- contributions -----------------------------------------------------------------------------

  @Get('isvs/:isvId/contributions')
  async listContributions(@Param('isvId') isvId: string, @Query() query: SubmissionListQueryDto, @CurrentPrincipal() principal: Principal) {
    return pageJson(await this.submissions.list(principal, 'contribution', isvId, { status: query.status, kind: query.kind }, pageRequest(query)));
  }

  /** Training, a case study, an event or mentoring, with evidence (links and/or files); at most 12 months back. */
  @Post('isvs/:isvId/contributions')
  async submitContribution(@Param('isvId') isvId: string, @Body() body: CreateContributionDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const input = { kind: body.kind, title: body.title, description: body.description, occurredAt: body.occurredAt, evidenceUrls: body.evidenceUrls ?? [], files: uploadsOf(body.files) };
    return submissionJson(await this.submissions.submit(principal, 'contribution', isvId, input, actorOf(principal, metaOf(req)), body.resubmissionOf ?? null));
  }

  /** The record with its evidence, review history and resubmissions. */
  @Get('contributions/:id')
  async contribution(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return detailJson(await this.submissions.detail(principal, 'contribution', id));
  }

  /** Only while submitted (not yet reviewed). */
  @Patch('contributions/:id')
  async updateContribution(@Param('id') id: string, @Body() body: UpdateContributionDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const changes = { kind: body.kind, title: body.title, description: body.description, occurredAt: body.occurredAt, evidenceUrls: body.evidenceUrls, files: uploadsOf(body.files), removeFileIds: body.removeFileIds };
    return submissionJson(await this.submissions.update(principal, 'contribution', id, changes, actorOf(principal, metaOf(req))));
  }

  @Post('contributions/:id/withdrawal')
  @HttpCode(200)
  async withdrawContribution(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return submissionJson(await this.submissions.withdraw(principal, 'contribution', id, actorOf(principal, metaOf(req))));
  }

  /** Staff: approve; writes the score event `contribution.approved` in the same transaction. */
  @Post('contributions/:id/approval')
  @Roles('platform_staff')
  @HttpCode(200)
  async approveContribution(@Param('id') id: string, @Body() body: ApprovalDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return submissionJson(await this.submissions.approve(principal, 'contribution', id, body.note ?? null, actorOf(principal, metaOf(req))));
  }

  /** Staff: reject with a note saying why (required). */
  @Post('contributions/:id/rejection')
  @Roles('platform_staff')
  @HttpCode(200)
  async rejectContribution(@Param('id') id: string, @Body() body: RejectionDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return submissionJson(await this.submissions.reject(principal, 'contribution', id, body.note, actorOf(principal, metaOf(req))));
  }

  // ---- products --------------------------------------------------------------------------------

  @Get('isvs/:isvId/products')
  async listProducts(@Param('isvId') isvId: string, @Query() query: ProductListQueryDto, @CurrentPrincipal() principal: Principal) {
    return pageJson(await this.submissions.list(principal, 'product', isvId, { status: query.status }, pageRequest(query)));
  }

  /** A tool or product built with the platform, with evidence; at most 12 months back. */
  @Post('isvs/:isvId/products')
  async submitProduct(@Param('isvId') isvId: string, @Body() body: CreateProductDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const input = { title: body.name, description: body.description, occurredAt: body.occurredAt, evidenceUrls: body.evidenceUrls ?? [], files: uploadsOf(body.files) };
    return submissionJson(await this.submissions.submit(principal, 'product', isvId, input, actorOf(principal, metaOf(req)), body.resubmissionOf ?? null));
  }

  @Get('products/:id')
  async product(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return detailJson(await this.submissions.detail(principal, 'product', id));
  }

  @Patch('products/:id')
  async updateProduct(@Param('id') id: string, @Body() body: UpdateProductDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    const changes = { title: body.name, description: body.description, occurredAt: body.occurredAt, evidenceUrls: body.evidenceUrls, files: uploadsOf(body.files), removeFileIds: body.removeFileIds };
    return submissionJson(await this.submissions.update(principal, 'product', id, changes, actorOf(principal, metaOf(req))));
  }

  @Post('products/:id/withdrawal')
  @HttpCode(200)
  async withdrawProduct(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return submissionJson(await this.submissions.withdraw(principal, 'product', id, actorOf(principal, metaOf(req))));
  }

  /** Staff: approve; writes the score event `product.approved` in the same transaction. */
  @Post('products/:id/approval')
  @Roles('platform_staff')
  @HttpCode(200)
  async approveProduct(@Param('id') id: string, @Body() body: ApprovalDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return submissionJson(await this.submissions.approve(principal, 'product', id, body.note ?? null, actorOf(principal, metaOf(req))));
  }

  @Post('products/:id/rejection')
  @Roles('platform_staff')
  @HttpCode(200)
  async rejectProduct(@Param('id') id: string, @Body() body: RejectionDto, @CurrentPrincipal() principal: Principal, @Req() req: FastifyRequest) {
    return submissionJson(await this.submissions.reject(principal, 'product', id, body.note, actorOf(principal, metaOf(req))));
  }

  // ---- both ------------------------------------------------------------------------------------

  /** Staff review queue: contributions and products together, oldest first; `status` defaults to submitted. */
  @Get('isv-submissions')
  @Roles('platform_staff')
  async queue(@Query() query: QueueQueryDto, @CurrentPrincipal() principal: Principal) {
    const status = query.status === 'all' ? undefined : (query.status ?? 'submitted');
    return pageJson(await this.submissions.queue(principal, { organisationId: query.isv, kind: query.kind, status }, pageRequest(query)));
  }

  @Get('evidence-files/:id')
  async evidenceFile(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply) {
    const file = await this.submissions.file(principal, id);
    return sendFile(reply, file);
  }
}

/** Sends a stored evidence file; only images and PDFs open in the browser, and nothing is sniffed. */
export function sendFile(reply: FastifyReply, file: { filename: string; contentType: string; content: Buffer }): FastifyReply {
  const disposition = isInlineType(file.contentType) ? 'inline' : 'attachment';
  const ascii = file.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .header('content-disposition', `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .type(file.contentType)
    .send(file.content);
}
