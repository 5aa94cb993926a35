import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { LEARNING_STATUSES, LearningStatus } from '../courses.types';

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

export class PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) perPage?: number;
}

/** YYYY-MM-DD (due at the end of that day, China time) or a full ISO date-time. */
export const DUE_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseDueDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T23:59:59+08:00`) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export class AssignCourseDto {
  @ApiProperty({
    type: [String],
    description: 'user ids or emails (max 500)',
    example: ['candidate1@demo.example'],
  })
  @IsArray({ message: 'validation.required' })
  @ArrayMinSize(1, { message: 'courses.errors.ASSIGNEES_REQUIRED' })
  @ArrayMaxSize(500, { message: 'courses.validation.tooManyAssignees' })
  @IsString({ each: true, message: 'validation.string' })
  @MaxLength(254, { each: true, message: 'validation.maxLength254' })
  assignees!: string[];

  @ApiPropertyOptional({
    description: 'YYYY-MM-DD (end of that day, China time) or an ISO date-time',
    example: '2026-06-30',
  })
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(DUE_DATE_PATTERN, { message: 'courses.validation.dueDate' })
  dueAt?: string;
}

/** The web assignment form: people picked from a list and/or typed as emails, one course, a due date. */
export class AssignFormDto {
  @IsUUID('all', { message: 'courses.validation.course' })
  courseId!: string;

  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @ArrayMaxSize(500, { message: 'courses.validation.tooManyAssignees' })
  @IsUUID('all', { each: true, message: 'courses.validation.person' })
  userIds?: string[];

  @IsOptional()
  @IsString({ message: 'validation.string' })
  @MaxLength(20000, { message: 'courses.validation.tooManyAssignees' })
  emails?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'courses.validation.dueDate' })
  dueAt?: string;
}

export class StaffLearningQueryDto extends PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUUID()
  courseId?: string;
  @ApiPropertyOptional({ enum: LEARNING_STATUSES })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(LEARNING_STATUSES)
  status?: LearningStatus;
  @ApiPropertyOptional({ format: 'uuid', description: 'platform staff only' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUUID()
  organisationId?: string;
}

export class CheckAnswerDto {
  @ApiProperty({ description: 'the question position in the attempt (0-based)' })
  @IsInt()
  @Min(0)
  @Max(100)
  position!: number;

  @ApiProperty({
    description:
      'single_choice {optionId}; multiple_choice {optionIds}; true_false {value}; short_answer/numeric {gaps}; matching {pairs: {promptId: matchId}}; ordering {order}; essay {text}',
    type: Object,
  })
  @IsObject()
  response!: Record<string, unknown>;
}

export class CheckSubmissionDto {
  @ApiProperty({ type: [CheckAnswerDto], description: 'questions not listed count as unanswered (score 0)' })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CheckAnswerDto)
  answers!: CheckAnswerDto[];
}
