/** How projects, grants and deliveries leave the module as JSON, and the small conversions both faces share. */
import type { FastifyRequest } from 'fastify';
import { Page } from '../../infra/http/pagination';
import { problemData } from './project-access.service';
import type { MemberRow } from './project-grants.service';
import type { MemberProjects } from './projects.service';
import { Delivery, Grant, Project } from './projects.types';

export const metaOf = (req: FastifyRequest) => ({ ip: req.ip ?? null, requestId: String(req.id) });

export function projectJson(p: Project) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    brand: { id: p.brandOrganisationId, name: p.brandName },
    stage: p.stage,
    status: p.status,
    activeMembers: p.activeMembers,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    pageUrl: `/projects/${p.id}`,
  };
}

export function grantJson(g: Grant) {
  return {
    id: g.id,
    projectId: g.projectId,
    user: { id: g.userId, name: g.userName, email: g.userEmail, organisation: g.userOrganisationId ? { id: g.userOrganisationId, name: g.userOrganisationName } : null },
    role: g.role,
    status: g.status,
    grantedBy: { id: g.grantedBy, name: g.grantedByName },
    grantedAt: g.grantedAt,
    withdrawnAt: g.withdrawnAt,
    withdrawalReason: g.withdrawalReason,
    withdrawalCertificateSerial: g.withdrawalCertificateSerial,
    revokedAt: g.revokedAt,
    revocationReason: g.revocationReason,
    reinstates: g.reinstatesGrantId,
    reinstatedBy: g.reinstatedByGrantId,
  };
}

export function memberJson(m: MemberRow) {
  return {
    ...grantJson(m.grant),
    certificate: m.certificate ? { serial: m.certificate.serial, status: m.certificate.standing, expiresAt: m.certificate.expiresAt } : null,
    certification: m.standing,
    reinstatable: m.reinstatable,
  };
}

export function deliveryJson(d: Delivery) {
  return {
    id: d.id,
    project: { id: d.projectId, name: d.projectName },
    brand: { id: d.brandOrganisationId, name: d.brandName },
    isv: { id: d.organisationId, name: d.organisationName },
    outcome: d.outcome,
    deliveredAt: d.deliveredAt,
    note: d.note,
    recordedBy: { id: d.recordedBy, name: d.recordedByName },
    recordedAt: d.recordedAt,
    confirmed: d.brandConfirmedAt !== null,
    brandConfirmedAt: d.brandConfirmedAt,
    brandConfirmedBy: d.brandConfirmedBy ? { id: d.brandConfirmedBy, name: d.brandConfirmedByName } : null,
    confirmedOnBehalfOfBrand: d.brandConfirmedOnBehalf,
  };
}

export function pageJson<T, J>(page: Page<T>, item: (t: T) => J) {
  return { ...page, items: page.items.map(item) };
}

export function memberProjectsJson(mine: MemberProjects) {
  return {
    ...pageJson(mine.page, (m) => ({ ...projectJson(m.project), myRole: m.role, grantedAt: m.grantedAt })),
    suspended: mine.suspended ? { grants: mine.suspended.grants, ...problemData(mine.suspended.problem) } : null,
  };
}
