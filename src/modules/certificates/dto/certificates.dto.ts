import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CERTIFICATE_STATUSES, CertificateStatus, CERTIFICATION_STANDINGS, CertificationStanding } from '../certificates.types';

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CertificatePageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) perPage?: number;
}

export class CertificateListQueryDto extends CertificatePageQueryDto {
  @ApiPropertyOptional({ description: 'part of a serial or of the holder’s name' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: CERTIFICATE_STATUSES, description: "'active' and 'expired' follow the clock" })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(CERTIFICATE_STATUSES, { message: 'certificates.validation.status' })
  status?: CertificateStatus;
}

export class StaffCertificationQueryDto extends CertificatePageQueryDto {
  @ApiPropertyOptional({ description: 'part of a name or email' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ enum: CERTIFICATION_STANDINGS })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(CERTIFICATION_STANDINGS, { message: 'certificates.validation.certification' })
  certification?: CertificationStanding;

  @ApiPropertyOptional({ format: 'uuid', description: 'platform staff only' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUUID()
  organisationId?: string;
}

export class RevocationDto {
  @ApiProperty({ description: 'why the certificate is revoked (shown to the holder and in the audit log)', maxLength: 1000 })
  @Transform(trimmed)
  @IsString({ message: 'certificates.errors.REVOCATION_REASON_REQUIRED' })
  @MinLength(1, { message: 'certificates.errors.REVOCATION_REASON_REQUIRED' })
  @MaxLength(1000, { message: 'certificates.validation.reasonTooLong' })
  reason!: string;
}

export class PdfQueryDto {
  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['zh-CN', 'en'], { message: 'certificates.errors.UNSUPPORTED_LANGUAGE' })
  lang?: 'zh-CN' | 'en';
}
