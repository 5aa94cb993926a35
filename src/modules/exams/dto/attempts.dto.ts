import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsObject, IsOptional } from 'class-validator';
import { SIGNAL_TYPES } from '../domain/integrity';

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
