import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { ID_DOCUMENT_TYPES, IdDocumentType, SITTING_FILTERS, SittingFilter } from '../proctoring.types';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' || value === null ? undefined : typeof value === 'string' ? value.trim() : value);
const bool = ({ value }: { value: unknown }) => (value === 'true' || value === 'on' || value === '1' ? true : value === 'false' || value === '0' || value === '' ? false : value);
const list = ({ value }: { value: unknown }) => (value === undefined || value === '' ? [] : typeof value === 'string' ? [value] : value);

/**
 * Date-times: ISO 8601 with an offset, or — from a browser's datetime-local field — without
 * one, which is read as China time (UTC+8, the time every page shows).
 */
export function toDateTime({ value }: { value: unknown }): unknown {
  if (value instanceof Date || value === undefined || value === null) return value;
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const text = value.trim();
  const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  const date = new Date(local ? `${text}${text.length === 16 ? ':00' : ''}+08:00` : text);
  return Number.isNaN(date.getTime()) ? value : date;
}

export const ACCESS_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 -]{2,30}[A-Za-z0-9]$/;

export class PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) perPage?: number;
}

export class SittingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SITTING_FILTERS, description: 'current (default): not yet closed; upcoming; open now; closed' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(SITTING_FILTERS)
  phase?: SittingFilter;
}

export class AppealQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['open', 'upheld', 'rejected'] })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['open', 'upheld', 'rejected'])
  status?: 'open' | 'upheld' | 'rejected';
}

class SittingFieldsDto {
  @ApiProperty({ maxLength: 200, example: '2026 年 6 月认证考场 · 上海' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  title!: string;

  @ApiProperty({ description: 'when candidates may start (ISO 8601; without an offset: China time)', example: '2026-06-20T09:00:00+08:00' })
  @Transform(toDateTime)
  @IsDate({ message: 'proctoring.validation.dateTime' })
  opensAt!: Date;

  @ApiProperty({ description: 'after this nobody may start or register', example: '2026-06-20T11:00:00+08:00' })
  @Transform(toDateTime)
  @IsDate({ message: 'proctoring.validation.dateTime' })
  closesAt!: Date;

  @ApiProperty({ minimum: 1, maximum: 10000 })
  @Type(() => Number)
  @IsInt({ message: 'proctoring.validation.capacity' })
  @Min(1, { message: 'proctoring.validation.capacity' })
  @Max(10000, { message: 'proctoring.validation.capacity' })
  capacity!: number;

  @ApiPropertyOptional({ description: 'letters, digits, spaces or hyphens (4–32); empty: a readable code is generated', example: 'K7QM-4XPD' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString({ message: 'validation.string' })
  @Matches(ACCESS_CODE_PATTERN, { message: 'proctoring.validation.accessCode' })
  accessCode?: string;

  @ApiPropertyOptional({ description: 'admit every registration at once (no identity check by a proctor)' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'validation.boolean' })
  autoAdmit?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 600, description: 'spread starts: each admitted candidate may start at a random moment up to this many seconds after the opening' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @Type(() => Number)
  @IsInt({ message: 'proctoring.validation.stagger' })
  @Min(0, { message: 'proctoring.validation.stagger' })
  @Max(600, { message: 'proctoring.validation.stagger' })
  staggerSeconds?: number;

  @ApiPropertyOptional({ type: [String], description: 'user ids of people with the proctor role' })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'proctoring.validation.proctor' })
  proctorIds?: string[];
}

export class CreateSittingDto extends SittingFieldsDto {
  @ApiProperty({ description: 'a published certification exam' })
  @IsUUID('all', { message: 'proctoring.validation.exam' })
  examId!: string;
}

/** Every field optional: what is left out stays as it is. */
export class UpdateSittingDto extends PartialType(SittingFieldsDto) {
  @ApiPropertyOptional({ description: 'true: replace the access code with a newly generated one' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'validation.boolean' })
  regenerateCode?: boolean;
}

export class ProctorsDto {
  @ApiProperty({ type: [String] })
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'proctoring.validation.proctor' })
  proctorIds!: string[];
}

export class RegisterDto {
  @ApiProperty({ description: 'the access code the organiser gave out (case, spaces and hyphens do not matter)', example: 'K7QM-4XPD' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'proctoring.validation.accessCodeRequired' })
  @MaxLength(64, { message: 'proctoring.validation.accessCodeRequired' })
  accessCode!: string;
}

export class AdmitDto {
  @ApiProperty({ enum: ID_DOCUMENT_TYPES, description: 'the identity document the proctor checked' })
  @IsIn(ID_DOCUMENT_TYPES, { message: 'proctoring.validation.documentType' })
  documentType!: IdDocumentType;

  @ApiProperty({ description: 'the last four characters of the document number', example: '123X' })
  @Transform(trim)
  @IsString({ message: 'proctoring.validation.last4' })
  @Matches(/^[0-9A-Za-z]{4}$/, { message: 'proctoring.validation.last4' })
  documentLast4!: string;

  @ApiPropertyOptional({ maxLength: 500, description: 'anything else checked (photo matches, name spelling …)' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString({ message: 'validation.string' })
  @MaxLength(500, { message: 'proctoring.validation.maxLength500' })
  note?: string;
}

export class ReasonDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString({ message: 'validation.string' })
  @MaxLength(500, { message: 'proctoring.validation.maxLength500' })
  reason?: string;
}

export class AddTimeDto extends ReasonDto {
  @ApiProperty({ minimum: 1, maximum: 180 })
  @Type(() => Number)
  @IsInt({ message: 'proctoring.validation.minutes' })
  @Min(1, { message: 'proctoring.validation.minutes' })
  @Max(180, { message: 'proctoring.validation.minutes' })
  minutes!: number;
}

export class MessageDto {
  @ApiProperty({ maxLength: 500 })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(500, { message: 'proctoring.validation.maxLength500' })
  text!: string;
}

export class TerminateDto {
  @ApiProperty({ maxLength: 1000, description: 'required: why the attempt is ended' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'proctoring.validation.reasonRequired' })
  @MaxLength(1000, { message: 'proctoring.validation.maxLength1000' })
  reason!: string;
}

export class NoteDto {
  @ApiProperty({ maxLength: 1000, description: 'what the proctor observed' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(1000, { message: 'proctoring.validation.maxLength1000' })
  text!: string;

  @ApiPropertyOptional({ description: 'flag the attempt: its result is held for review' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'validation.boolean' })
  flag?: boolean;
}

export class DecisionDto {
  @ApiProperty({ enum: ['clear', 'invalidate'], description: 'clear: pass or fail by the score; invalidate: the attempt does not count' })
  @IsIn(['clear', 'invalidate'], { message: 'proctoring.validation.decision' })
  decision!: 'clear' | 'invalidate';

  @ApiPropertyOptional({ maxLength: 1000, description: 'required to invalidate' })
  @Transform(emptyToUndefined)
  @ValidateIf((o: DecisionDto) => o.decision === 'invalidate' || o.reason !== undefined)
  @IsString({ message: 'proctoring.validation.reasonRequired' })
  @IsNotEmpty({ message: 'proctoring.validation.reasonRequired' })
  @MaxLength(1000, { message: 'proctoring.validation.maxLength1000' })
  reason?: string;
}

export class AppealDto {
  @ApiProperty({ maxLength: 2000, description: 'why the invalidation was wrong' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'proctoring.validation.reasonRequired' })
  @MaxLength(2000, { message: 'proctoring.validation.maxLength2000' })
  reason!: string;

  @ApiPropertyOptional({ description: 'API only: the attempt appealed (the web form has it in the URL)' })
  @IsOptional()
  @IsUUID('all')
  attemptId?: string;
}

export class ResolveAppealDto {
  @ApiProperty({ enum: ['upheld', 'rejected'], description: 'upheld: the attempt goes back to review for a new decision; rejected: it stays invalidated' })
  @IsIn(['upheld', 'rejected'], { message: 'proctoring.validation.outcome' })
  outcome!: 'upheld' | 'rejected';

  @ApiProperty({ maxLength: 2000 })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'proctoring.validation.reasonRequired' })
  @MaxLength(2000, { message: 'proctoring.validation.maxLength2000' })
  resolution!: string;
}

export class EssayScoreDto {
  @ApiProperty({ description: 'points (0 … the item\'s points) or a percentage (0 … 100)', example: 3 })
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 }, { message: 'proctoring.validation.score' })
  @Min(0, { message: 'proctoring.validation.score' })
  score!: number;

  @ApiPropertyOptional({ enum: ['points', 'percent'], default: 'points' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(['points', 'percent'], { message: 'proctoring.validation.scoreUnit' })
  unit?: 'points' | 'percent';
}
