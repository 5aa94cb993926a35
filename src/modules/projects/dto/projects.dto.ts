import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsDate, IsEmail, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { parseDeliveredAt } from '../domain/delivery-dates';
import {
  DELIVERY_OUTCOMES,
  DeliveryOutcome,
  GRANT_ROLES,
  GRANT_STATUSES,
  GrantRole,
  GrantStatus,
  PROJECT_STAGES,
  PROJECT_STATUSES,
  ProjectStage,
  ProjectStatus,
} from '../projects.types';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' || value === null ? undefined : typeof value === 'string' ? value.trim() : value);
/** A date as typed; what cannot be read stays as it was so @IsDate names the field. */
const toDeliveredAt = ({ value }: { value: unknown }) => (value === undefined || value === null || value === '' ? undefined : (parseDeliveredAt(value) ?? value));

export class PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) perPage?: number;
}

export class ProjectListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'search in the project and brand names' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString({ message: 'validation.string' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  q?: string;

  @ApiPropertyOptional({ enum: PROJECT_STATUSES })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(PROJECT_STATUSES, { message: 'projects.validation.status' })
  status?: ProjectStatus;

  @ApiPropertyOptional({ enum: PROJECT_STAGES })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(PROJECT_STAGES, { message: 'projects.validation.stage' })
  stage?: ProjectStage;

  @ApiPropertyOptional({ description: 'a brand (organisation id)' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUUID('all', { message: 'projects.validation.brand' })
  brand?: string;
}

export class CreateProjectDto {
  @ApiProperty({ description: 'the brand organisation the project is for' })
  @Transform(trim)
  @IsUUID('all', { message: 'projects.validation.brand' })
  brandOrganisationId!: string;

  @ApiProperty({ maxLength: 200, example: '燕麦奶新品 2026' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(5000, { message: 'projects.validation.description' })
  description?: string;

  @ApiProperty({ enum: PROJECT_STAGES })
  @Transform(emptyToUndefined)
  @IsIn(PROJECT_STAGES, { message: 'projects.validation.stage' })
  stage!: ProjectStage;

  @ApiPropertyOptional({ enum: PROJECT_STATUSES, default: 'active' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(PROJECT_STATUSES, { message: 'projects.validation.status' })
  status?: ProjectStatus;
}

export class UpdateProjectDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsUUID('all', { message: 'projects.validation.brand' })
  brandOrganisationId?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  name?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(5000, { message: 'projects.validation.description' })
  description?: string;

  @ApiPropertyOptional({ enum: PROJECT_STAGES })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(PROJECT_STAGES, { message: 'projects.validation.stage' })
  stage?: ProjectStage;

  @ApiPropertyOptional({ enum: PROJECT_STATUSES })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(PROJECT_STATUSES, { message: 'projects.validation.status' })
  status?: ProjectStatus;
}

/** API: grant a person (by id) a role. */
export class GrantDto {
  @ApiProperty({ description: 'the person (user id)' })
  @Transform(trim)
  @IsUUID('all', { message: 'projects.validation.userId' })
  userId!: string;

  @ApiProperty({ enum: GRANT_ROLES })
  @Transform(emptyToUndefined)
  @IsIn(GRANT_ROLES, { message: 'projects.validation.role' })
  role!: GrantRole;
}

/** The staff form: the person by email. */
export class GrantFormDto {
  @Transform(trim)
  @IsNotEmpty({ message: 'validation.required' })
  @IsEmail({}, { message: 'validation.email' })
  @MaxLength(254, { message: 'validation.maxLength254' })
  email!: string;

  @Transform(emptyToUndefined)
  @IsIn(GRANT_ROLES, { message: 'projects.validation.role' })
  role!: GrantRole;
}

export class RevokeGrantDto {
  @ApiPropertyOptional({ maxLength: 1000, description: 'why (kept on the grant and in the audit log)' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(1000, { message: 'projects.validation.reason' })
  reason?: string;
}

export class GrantListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: GRANT_STATUSES })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(GRANT_STATUSES, { message: 'projects.validation.grantStatus' })
  status?: GrantStatus;
}

export class DeliveryDto {
  @ApiProperty({ description: 'the ISV that delivered (organisation id); one of its people must have held a grant on the project' })
  @Transform(trim)
  @IsUUID('all', { message: 'projects.validation.isv' })
  organisationId!: string;

  @ApiProperty({ enum: DELIVERY_OUTCOMES })
  @Transform(emptyToUndefined)
  @IsIn(DELIVERY_OUTCOMES, { message: 'projects.validation.outcome' })
  outcome!: DeliveryOutcome;

  @ApiProperty({ description: 'when it was delivered: a date (YYYY-MM-DD, China time) or ISO 8601; at most 12 months back, not in the future', example: '2026-03-18' })
  @Transform(toDeliveredAt)
  @IsDate({ message: 'projects.validation.deliveredAt' })
  deliveredAt!: Date;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(2000, { message: 'projects.validation.note' })
  note?: string;
}

export const DELIVERY_LIST_STATUSES = ['pending', 'confirmed'] as const;

export class DeliveryListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_LIST_STATUSES, description: 'pending: waiting for the brand; confirmed: counted for scoring' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(DELIVERY_LIST_STATUSES, { message: 'projects.validation.deliveryStatus' })
  status?: (typeof DELIVERY_LIST_STATUSES)[number];
}

export const confirmedFilter = (status: DeliveryListQueryDto['status']): boolean | undefined => (status === undefined ? undefined : status === 'confirmed');
