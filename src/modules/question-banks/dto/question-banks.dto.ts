import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { QUESTION_TYPES, QuestionType } from '../domain/question';
import { EXPORT_FORMATS, ExportFormat } from '../formats/export-types';

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

export class QuestionQueryDto {
  @ApiPropertyOptional() @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(100) bank?: string;
  @ApiPropertyOptional() @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(100) tag?: string;
  @ApiPropertyOptional({ enum: QUESTION_TYPES }) @IsOptional() @Transform(emptyToUndefined) @IsIn(QUESTION_TYPES) type?: QuestionType;
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) @IsOptional() @Transform(emptyToUndefined) @Type(() => Number) @IsInt() @Min(1) @Max(5) difficulty?: number;
  @ApiPropertyOptional({ enum: ['active', 'retired'] }) @IsOptional() @Transform(emptyToUndefined) @IsIn(['active', 'retired']) status?: 'active' | 'retired';
  @ApiPropertyOptional() @IsOptional() @Transform(emptyToUndefined) @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) perPage?: number;
}

export class EditQuestionDto {
  @ApiProperty({ description: 'the question in the native YAML format (a one-question bank document)' })
  @IsString({ message: 'validation.string' })
  @MaxLength(200_000)
  yaml!: string;

  @ApiPropertyOptional({ maxLength: 500 }) @IsOptional() @IsString() @MaxLength(500, { message: 'validation.maxLength500' }) note?: string;
}

export class ExportQueryDto {
  @ApiProperty({ enum: EXPORT_FORMATS }) @IsIn(EXPORT_FORMATS, { message: 'questionBanks.validation.format' }) format!: ExportFormat;
  @ApiPropertyOptional({ enum: ['zh-CN', 'en'] }) @IsOptional() @Transform(emptyToUndefined) @IsIn(['zh-CN', 'en']) language?: string;
}

export class StatusDto {
  @ApiProperty({ enum: ['active', 'retired'] }) @IsIn(['active', 'retired'], { message: 'questionBanks.validation.status' }) status!: 'active' | 'retired';
}
