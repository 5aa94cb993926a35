import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, IsUUID, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { ROLES, Role } from '../../../infra/http/access';
import { LOCALES, Locale } from '../../../infra/i18n/i18n';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const emptyToNull = ({ value }: { value: unknown }) => (value === '' ? null : value);
const bool = ({ value }: { value: unknown }) => (value === 'true' || value === 'on' ? true : value === 'false' ? false : value);
const num = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);

export class CreateUserDto {
  @ApiProperty({ maxLength: 254 })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(254, { message: 'validation.maxLength254' })
  @IsEmail({}, { message: 'validation.email' })
  email!: string;

  @ApiProperty({ maxLength: 200 })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: 'validation.role' })
  role!: Role;

  @ApiPropertyOptional({ description: 'at least 10 characters; omitted → a random one is generated and returned once' })
  @IsOptional()
  @Transform(emptyToNull)
  @ValidateIf((_o, v) => v !== null)
  @IsString({ message: 'validation.string' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  password?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @Transform(emptyToNull)
  @ValidateIf((_o, v) => v !== null)
  @IsUUID('all', { message: 'validation.uuid' })
  organisationId?: string | null;

  @ApiPropertyOptional({ enum: LOCALES })
  @IsOptional()
  @IsIn(LOCALES, { message: 'validation.locale' })
  locale?: Locale;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ maxLength: 254 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(254, { message: 'validation.maxLength254' })
  @IsEmail({}, { message: 'validation.email' })
  email?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  name?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES, { message: 'validation.role' })
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @Transform(emptyToNull)
  @ValidateIf((_o, v) => v !== null)
  @IsUUID('all', { message: 'validation.uuid' })
  organisationId?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'validation.boolean' })
  active?: boolean;

  @ApiPropertyOptional({ description: 'exam time accommodation, 1.00–4.00', minimum: 1, maximum: 4 })
  @IsOptional()
  @Transform(num)
  @IsNumber({ maxDecimalPlaces: 2 }, { message: 'validation.number' })
  @Min(1, { message: 'validation.timeMultiplier' })
  @Max(4, { message: 'validation.timeMultiplier' })
  timeMultiplier?: number;
}

export class UserQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) q?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn([...ROLES, '']) role?: Role | '';
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @Transform(emptyToNull) @ValidateIf((_o, v) => v !== null) @IsUUID() organisationId?: string | null;
  @ApiPropertyOptional() @IsOptional() @IsIn(['true', 'false', '']) active?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) page?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) perPage?: number;
}
