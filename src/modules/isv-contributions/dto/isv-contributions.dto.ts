import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsDate, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { CONTRIBUTION_KINDS, ContributionKind, QUEUE_KINDS, QueueKind, SUBMISSION_STATUSES, SubmissionStatus } from '../isv-contributions.types';
import { MAX_EVIDENCE_FILES, MAX_EVIDENCE_URLS, parseOccurredAt, splitUrlList } from '../submission-rules';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' || value === null ? undefined : typeof value === 'string' ? value.trim() : value);
/** A date as typed; what cannot be read stays a string so @IsDate names the field. */
const toOccurredAt = ({ value }: { value: unknown }) => (value === undefined || value === null || value === '' ? undefined : (parseOccurredAt(value) ?? value));
/** A JSON array, or (from a form's textarea) one URL per line. */
const toUrlList = ({ value }: { value: unknown }) => (typeof value === 'string' ? splitUrlList(value) : value);
const toList = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : typeof value === 'string' ? [value] : value);

const OCCURRED_AT_DOC = {
  description: 'when it happened: a date (YYYY-MM-DD, China time) or ISO 8601; at most 12 months back and not in the future',
  example: '2026-03-18',
};

export class PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) perPage?: number;
}

export class SubmissionListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SUBMISSION_STATUSES })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(SUBMISSION_STATUSES, { message: 'isvContributions.validation.status' })
  status?: SubmissionStatus;

  @ApiPropertyOptional({ enum: CONTRIBUTION_KINDS, description: 'contributions only' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(CONTRIBUTION_KINDS, { message: 'isvContributions.validation.kind' })
  kind?: ContributionKind;
}

export class ProductListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SUBMISSION_STATUSES })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(SUBMISSION_STATUSES, { message: 'isvContributions.validation.status' })
  status?: SubmissionStatus;
}

export class QueueQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'an ISV (organisation id)' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUUID('all', { message: 'isvContributions.validation.isv' })
  isv?: string;

  @ApiPropertyOptional({ enum: QUEUE_KINDS, description: 'a contribution kind, or `product` for co-built products' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(QUEUE_KINDS, { message: 'isvContributions.validation.queueKind' })
  kind?: QueueKind;

  @ApiPropertyOptional({ enum: [...SUBMISSION_STATUSES, 'all'], description: 'default: submitted (waiting for review)' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn([...SUBMISSION_STATUSES, 'all'], { message: 'isvContributions.validation.status' })
  status?: SubmissionStatus | 'all';
}

/** A file in a JSON request: its name and its bytes in base64 (the same checks as a form upload apply). */
export class EvidenceFileDto {
  @ApiProperty({ example: 'training-attendance.pdf', maxLength: 255 })
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(255, { message: 'isvContributions.validation.filename' })
  filename!: string;

  @ApiProperty({ description: 'the file content, base64 (PDF, PNG, JPEG, WebP, DOCX, PPTX or XLSX; at most 5 MiB)' })
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @Matches(/^[A-Za-z0-9+/\s]*={0,2}\s*$/, { message: 'isvContributions.validation.base64' })
  contentBase64!: string;
}

class EvidenceFieldsDto {
  @ApiPropertyOptional({ type: [String], maxItems: MAX_EVIDENCE_URLS, description: 'http(s) links to the evidence (a form may send one per line)' })
  @IsOptional()
  @Transform(toUrlList)
  @IsArray({ message: 'isvContributions.validation.urlList' })
  @ArrayMaxSize(MAX_EVIDENCE_URLS, { message: 'isvContributions.validation.tooManyUrls' })
  @IsString({ each: true, message: 'validation.string' })
  evidenceUrls?: string[];

  @ApiPropertyOptional({ type: [EvidenceFileDto], maxItems: MAX_EVIDENCE_FILES })
  @IsOptional()
  @IsArray({ message: 'isvContributions.validation.fileList' })
  @ArrayMaxSize(MAX_EVIDENCE_FILES, { message: 'isvContributions.validation.tooManyFiles' })
  @ValidateNested({ each: true })
  @Type(() => EvidenceFileDto)
  files?: EvidenceFileDto[];
}

export class CreateContributionDto extends EvidenceFieldsDto {
  @ApiProperty({ enum: CONTRIBUTION_KINDS })
  @Transform(emptyToUndefined)
  @IsNotEmpty({ message: 'validation.required' })
  @IsIn(CONTRIBUTION_KINDS, { message: 'isvContributions.validation.kind' })
  kind!: ContributionKind;

  @ApiProperty({ maxLength: 200, example: '为品牌方开展数据银行培训 / Data Bank training for a brand team' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  title!: string;

  @ApiProperty({ maxLength: 5000 })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(5000, { message: 'isvContributions.validation.maxLength5000' })
  description!: string;

  @ApiProperty(OCCURRED_AT_DOC)
  @Transform(toOccurredAt)
  @IsNotEmpty({ message: 'validation.required' })
  @IsDate({ message: 'isvContributions.validation.occurredAt' })
  occurredAt!: Date;

  @ApiPropertyOptional({ description: 'a rejected or withdrawn contribution this one replaces' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUUID('all', { message: 'isvContributions.validation.resubmissionOf' })
  resubmissionOf?: string;
}

export class CreateProductDto extends EvidenceFieldsDto {
  @ApiProperty({ maxLength: 200, example: '新品试销诊断看板 / Trial-sales diagnosis dashboard' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  name!: string;

  @ApiProperty({ maxLength: 5000 })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(5000, { message: 'isvContributions.validation.maxLength5000' })
  description!: string;

  @ApiProperty(OCCURRED_AT_DOC)
  @Transform(toOccurredAt)
  @IsNotEmpty({ message: 'validation.required' })
  @IsDate({ message: 'isvContributions.validation.occurredAt' })
  occurredAt!: Date;

  @ApiPropertyOptional({ description: 'a rejected or withdrawn product this one replaces' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUUID('all', { message: 'isvContributions.validation.resubmissionOf' })
  resubmissionOf?: string;
}

class EditFieldsDto extends EvidenceFieldsDto {
  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(5000, { message: 'isvContributions.validation.maxLength5000' })
  description?: string;

  @ApiPropertyOptional(OCCURRED_AT_DOC)
  @IsOptional()
  @Transform(toOccurredAt)
  @IsDate({ message: 'isvContributions.validation.occurredAt' })
  occurredAt?: Date;

  @ApiPropertyOptional({ type: [String], description: 'ids of attached evidence files to remove' })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(MAX_EVIDENCE_FILES)
  @IsUUID('all', { each: true, message: 'isvContributions.validation.fileId' })
  removeFileIds?: string[];
}

/** Edits while submitted; fields left out stay as they are, `evidenceUrls` (when given) replaces the links. */
export class UpdateContributionDto extends EditFieldsDto {
  @ApiPropertyOptional({ enum: CONTRIBUTION_KINDS })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(CONTRIBUTION_KINDS, { message: 'isvContributions.validation.kind' })
  kind?: ContributionKind;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  title?: string;
}

export class UpdateProductDto extends EditFieldsDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  name?: string;
}

export class ApprovalDto {
  @ApiPropertyOptional({ maxLength: 2000, description: 'optional note to the ISV' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(2000, { message: 'isvContributions.validation.maxLength2000' })
  note?: string;
}

export class RejectionDto {
  @ApiProperty({ maxLength: 2000, description: 'why, and what to change before resubmitting (required)' })
  @Transform(trim)
  @IsString({ message: 'isvContributions.fieldErrors.NOTE_REQUIRED' })
  @IsNotEmpty({ message: 'isvContributions.fieldErrors.NOTE_REQUIRED' })
  @MaxLength(2000, { message: 'isvContributions.validation.maxLength2000' })
  note!: string;
}
