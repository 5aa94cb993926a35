import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { LOCALES, Locale } from '../../../infra/i18n/i18n';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class LoginDto {
  @ApiProperty({ example: 'candidate@example.com', maxLength: 254 })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(254, { message: 'validation.maxLength254' })
  @IsEmail({}, { message: 'validation.email' })
  email!: string;

  @ApiProperty({ maxLength: 200 })
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(200, { message: 'validation.maxLength200' })
  password!: string;

  @ApiPropertyOptional({ description: 'web form only: where to go after signing in' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  next?: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString({ message: 'validation.string' }) @IsNotEmpty({ message: 'validation.required' }) @MaxLength(200, { message: 'validation.maxLength200' }) currentPassword!: string;
  @ApiProperty({ minLength: 10 }) @IsString({ message: 'validation.string' }) @IsNotEmpty({ message: 'validation.required' }) @MaxLength(200, { message: 'validation.maxLength200' }) newPassword!: string;
  @ApiPropertyOptional() @IsOptional() @IsString({ message: 'validation.string' }) @MaxLength(200, { message: 'validation.maxLength200' }) confirmPassword?: string;
}

export class UpdateMeDto {
  @ApiProperty({ enum: LOCALES }) @IsIn(LOCALES, { message: 'validation.locale' }) locale!: Locale;
}

export class CreateTokenDto {
  @ApiProperty({ maxLength: 100, example: 'ISV dashboard sync' })
  @Transform(trim)
  @IsString({ message: 'validation.string' })
  @IsNotEmpty({ message: 'validation.required' })
  @MaxLength(100, { message: 'validation.maxLength100' })
  name!: string;
}
