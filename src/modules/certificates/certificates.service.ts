import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { Forbidden } from '../../infra/http/app-error';
import { Principal, scopeOf } from '../../infra/http/access';
import { Page, PageRequest, toPage } from '../../infra/http/pagination';
import { Locale, translate } from '../../infra/i18n/i18n';
import { CredentialsService } from '../credentials/credentials.service';
import { effectiveStatus } from './domain/certificate-state';
import { CertificatesError } from './certificates.errors';
import { ownCertificate, OwnCertificate, programmeName, publicVerification, PublicVerification } from './certificates.presenters';
import { CertificatesRepository, StaffCertificationDbRow } from './certificates.repository';
import {
  CertificateListFilter,
  CertificateRecord,
  CurrentCertificate,
  StaffCertificationFilter,
  StaffCertificationRow,
  ValidCertificate,
} from './certificates.types';

/** "Expiring" on the ISV manager's table: within 60 days, the first reminder. */
export const EXPIRING_WITHIN_DAYS = 60;
/** Room in the status list beyond the highest index handed out, so it need not grow with every issue. */
const STATUS_LIST_MARGIN = 1024;
const CSV_PAGE = 1000;
const CSV_MAX_ROWS = 100_000;

/** A cell starting with = + - @ (or a tab/CR) would run as a formula in a spreadsheet: neutralise it. */
export function csvSafe(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * The read side of certificates: the checks other modules rely on (projects, ISV scoring), the
 * holder's certificates, public verification and the Open Badges credential, the staff list and
 * the ISV manager's certification table. Validity is checked against the clock, so a lapsed
 * certificate is invalid before any job runs.
 */
@Injectable()
export class CertificatesService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: CertificatesRepository,
    private readonly credentials: CredentialsService,
  ) {}

  get publicBaseUrl(): string {
    return this.config.publicBaseUrl;
  }

  onModuleInit(): void {
    // Lets CredentialsService.verify() check revocation in process against the live list.
    this.credentials.registerRevocationListSource({
      revocationList: async () => {
        const { revoked, maxIndex } = await this.repository.revocationStatusList();
        return { revokedIndexes: revoked, length: maxIndex + 1 + STATUS_LIST_MARGIN };
      },
    });
  }

  async validCertificateFor(userId: string, manager?: EntityManager): Promise<ValidCertificate | null> {
    const row = await this.repository.findValidCertificate(userId, manager);
    if (!row) return null;
    return { id: row.id, serial: row.serial, status: 'active', issuedAt: row.issued_at, expiresAt: row.expires_at };
  }

  async certificatesOf(userIds: string[], manager?: EntityManager): Promise<Map<string, CurrentCertificate>> {
    const rows = await this.repository.findCurrentCertificates([...new Set(userIds)], manager);
    const result = new Map<string, CurrentCertificate>();
    for (const row of rows) {
      result.set(row.holder_id, {
        id: row.id,
        serial: row.serial,
        status: row.status,
        effectiveStatus: effectiveStatus(row.status, row.past_expiry),
        issuedAt: row.issued_at,
        expiresAt: row.expires_at,
      });
    }
    return result;
  }

  // ---- the holder ----

  async mine(principal: Principal): Promise<OwnCertificate[]> {
    const rows = await this.repository.findByHolder(principal.id);
    return rows.map((c) => ownCertificate(c, principal.locale, this.config.publicBaseUrl));
  }

  /**
   * One certificate for a signed-in viewer: its holder, platform staff, or the ISV manager of the
   * holder's organisation. Anyone else gets "not found" (not "forbidden": ids are not confirmed).
   */
  async forViewer(principal: Principal, certificateId: string): Promise<CertificateRecord> {
    const certificate = UUID.test(certificateId) ? await this.repository.findById(certificateId) : null;
    if (!certificate || !this.maySee(principal, certificate)) throw new CertificatesError('CERTIFICATE_NOT_FOUND');
    return certificate;
  }

  private maySee(principal: Principal, c: CertificateRecord): boolean {
    const scope = scopeOf(principal);
    switch (scope.kind) {
      case 'all':
        return true;
      case 'organisation':
        return c.holderOrganisationId === scope.organisationId || c.holderId === principal.id;
      case 'self':
        return c.holderId === scope.userId;
    }
  }

  // ---- public verification ----

  /** The public record for a verification code; null when the code is not recognised. */
  async verify(code: string, locale: Locale): Promise<{ record: CertificateRecord; view: PublicVerification } | null> {
    const record = await this.byCode(code);
    return record ? { record, view: publicVerification(record, locale) } : null;
  }

  /** The signed Open Badges 3.0 credential for a verification code. */
  async credential(code: string): Promise<Record<string, unknown>> {
    const c = await this.byCode(code);
    if (!c) throw new CertificatesError('VERIFICATION_CODE_UNKNOWN');
    return this.credentials.openBadgeFor({
      certificateId: c.id,
      serial: c.serial,
      verificationCode: c.verificationCode,
      holderName: c.holderName,
      programme: programmeName(c.programme, 'en'),
      examTitle: c.examTitle.en ?? c.examTitle['zh-CN'] ?? c.serial,
      issuedAt: c.issuedAt,
      expiresAt: c.expiresAt,
      statusListIndex: c.statusListIndex,
    });
  }

  /** The signed revocation status list: every revoked certificate's index is set. */
  async revocationStatusList(): Promise<Record<string, unknown>> {
    const { revoked, maxIndex } = await this.repository.revocationStatusList();
    return this.credentials.statusListCredential(revoked, maxIndex + 1 + STATUS_LIST_MARGIN);
  }

  private async byCode(code: string): Promise<CertificateRecord | null> {
    // Codes are URL-safe base64; anything else cannot be one (and is not worth a query).
    if (!/^[A-Za-z0-9_-]{16,64}$/.test(code)) return null;
    return this.repository.findByVerificationCode(code);
  }

  // ---- staff ----

  async list(filter: CertificateListFilter, page: PageRequest): Promise<Page<CertificateRecord>> {
    const { items, total } = await this.repository.list(filter, page);
    return toPage(items, total, page);
  }

  // ---- ISV manager (and staff): who of my people is certified ----

  async staffCertification(principal: Principal, filter: StaffCertificationFilter, page: PageRequest): Promise<Page<StaffCertificationRow>> {
    this.assertManagerOrStaff(principal);
    const { items, total } = await this.repository.staffCertification(scopeOf(principal), this.scoped(principal, filter), EXPIRING_WITHIN_DAYS, page);
    return toPage(items.map(toStaffRow), total, page);
  }

  /** The whole filtered table as CSV (UTF-8 with BOM so spreadsheet programs read Chinese names). */
  async staffCertificationCsv(principal: Principal, filter: StaffCertificationFilter, locale: Locale): Promise<string> {
    this.assertManagerOrStaff(principal);
    const t = (key: string) => translate(locale, `certificates.staff.${key}`);
    const header = [t('name'), t('email'), t('organisation'), t('certification'), t('serial'), t('issuedAt'), t('expiresAt')];
    const rows: string[][] = [];
    for (let page = 1; rows.length < CSV_MAX_ROWS; page++) {
      const { items } = await this.repository.staffCertification(scopeOf(principal), this.scoped(principal, filter), EXPIRING_WITHIN_DAYS, { page, perPage: CSV_PAGE });
      for (const r of items.map(toStaffRow)) {
        rows.push(
          [
            r.name,
            r.email,
            r.organisationName ?? '',
            translate(locale, `certificates.standing.${r.certification}`),
            r.serial ?? '',
            r.issuedAt?.toISOString().slice(0, 10) ?? '',
            r.expiresAt?.toISOString().slice(0, 10) ?? '',
          ].map(csvSafe),
        );
      }
      if (items.length < CSV_PAGE) break;
    }
    return '\uFEFF' + stringify([header, ...rows]);
  }

  private assertManagerOrStaff(principal: Principal): void {
    if (principal.role === 'platform_staff') return;
    if (principal.role === 'isv_manager' && principal.organisationId) return;
    throw new Forbidden();
  }

  /** A manager's organisation filter can only narrow to their own (the scope does the rest). */
  private scoped(principal: Principal, filter: StaffCertificationFilter): StaffCertificationFilter {
    return principal.role === 'platform_staff' ? filter : { ...filter, organisationId: undefined };
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toStaffRow(r: StaffCertificationDbRow): StaffCertificationRow {
  return {
    userId: r.user_id,
    name: r.name,
    email: r.email,
    organisationName: r.organisation_name,
    certification: r.certification,
    certificateId: r.certificate_id,
    serial: r.serial,
    issuedAt: r.issued_at,
    expiresAt: r.expires_at,
  };
}
