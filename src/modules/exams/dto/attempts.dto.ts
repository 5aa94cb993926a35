import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, IsBoolean, IsDate, IsIn, IsInt, IsObject, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { SIGNAL_TYPES } from '../domain/integrity';

export class SaveAnswerDto {
  @ApiProperty({ description: 'the answer, shaped by question type (e.g. {"optionId": "x…"}); null clears it', nullable: true, type: Object })
  @Allow()
  @ValidateIf((_o, v) => v !== null)
  @IsObject({ message: 'exams.validation.response' })
  response!: Record<string, unknown> | null;

  @ApiProperty({ description: 'client sequence number; the highest one wins', minimum: 1 })
  @IsInt({ message: 'exams.validation.seq' })
  @Min(1, { message: 'exams.validation.seq' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'exams.validation.seq' })
  seq!: number;

  @ApiPropertyOptional({ description: 'flagged for review by the candidate' })
  @IsOptional()
  @IsBoolean()
  marked?: boolean;
}

export class SignalDto {
  @ApiProperty({ enum: [...SIGNAL_TYPES, 'heartbeat'] })
  @IsIn([...SIGNAL_TYPES, 'heartbeat'], { message: 'exams.validation.signal' })
  type!: (typeof SIGNAL_TYPES)[number] | 'heartbeat';

  @ApiPropertyOptional({ description: 'when it happened on the client' })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  at?: Date;

  @ApiPropertyOptional({ type: Object })
  @IsOptional()
  @IsObject()
  detail?: Record<string, unknown>;
}
