import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RANKING_FILTERS, RankingFilter } from '../isv-scoring.types';

const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' || value === null ? undefined : typeof value === 'string' ? value.trim() : value);

export class PageQueryDto {
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) perPage?: number;
}

export class RankingQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RANKING_FILTERS, description: 'all (default), a tier, or atRisk' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsIn(RANKING_FILTERS)
  tier?: RankingFilter;

  @ApiPropertyOptional({ description: 'part of the ISV name' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class CreateRuleVersionDto {
  @ApiProperty({ description: 'The rules (see GET /api/v1/scoring/rules for the shape of the version in force)' })
  @IsObject()
  rules!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'When the version applies: ISO 8601 instant, or YYYY-MM-DD (China time). Empty: now. Never in the past.' })
  @IsOptional()
  @IsString()
  effectiveFrom?: string;

  @ApiPropertyOptional({ description: 'Why the rules change (shown in the version list)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class QueuesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'the queue whose failed jobs to list' })
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(100)
  queue?: string;
}
