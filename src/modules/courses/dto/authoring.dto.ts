import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const bool = ({ value }: { value: unknown }) => value === true || value === 'on' || value === 'true';
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Staff authoring forms (web). Texts come per language; Chinese is required, English optional. */
export class CourseFormDto {
  @IsOptional()
  @Transform(trim)
  @Transform(emptyToUndefined)
  @Matches(/^[a-z0-9][a-z0-9-]{0,99}$/, { message: 'courses.validation.key' })
  key?: string;

  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  titleZh!: string;

  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  titleEn?: string;

  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(2000, { message: 'courses.validation.maxLength2000' })
  summaryZh?: string;

  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(2000, { message: 'courses.validation.maxLength2000' })
  summaryEn?: string;

  @Transform(bool)
  @IsBoolean()
  requiredForCertification!: boolean;
}

export class ModuleFormDto {
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  titleZh!: string;

  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  titleEn?: string;

  /** Comma- or space-separated tags (the knowledge check draws questions carrying any of them). */
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(500, { message: 'courses.validation.maxLength500' })
  @Matches(/^[\w.,\s-]*$/, { message: 'courses.validation.tags' })
  checkTags?: string;

  @Type(() => Number)
  @IsInt({ message: 'courses.validation.checkQuestions' })
  @Min(0, { message: 'courses.validation.checkQuestions' })
  @Max(50, { message: 'courses.validation.checkQuestions' })
  checkQuestions!: number;
}

export class LessonFormDto {
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  titleZh!: string;

  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  titleEn?: string;

  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200000, { message: 'courses.validation.bodyTooLong' })
  bodyZh!: string;

  @IsOptional()
  @IsString({ message: 'validation.string' })
  @MaxLength(200000, { message: 'courses.validation.bodyTooLong' })
  bodyEn?: string;

  @Type(() => Number)
  @IsInt({ message: 'courses.validation.minutes' })
  @Min(1, { message: 'courses.validation.minutes' })
  @Max(600, { message: 'courses.validation.minutes' })
  minutes!: number;

  /** One link a line: `Title | https://…` (or just the address). */
  @IsOptional()
  @IsString({ message: 'validation.string' })
  @MaxLength(10000, { message: 'courses.validation.maxLength10000' })
  attachments?: string;

  @IsOptional()
  @IsString({ message: 'validation.string' })
  @MaxLength(10000, { message: 'courses.validation.maxLength10000' })
  videos?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUUID('all', { message: 'courses.errors.MODULE_NOT_FOUND' })
  moduleId?: string;

  @IsOptional()
  @IsIn(['save', 'preview'])
  action?: 'save' | 'preview';
}
