import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { AppError, FieldErrors, ValidationFailed } from '../../../infra/http/app-error';
import { AccountsError } from '../accounts.errors';
import { LoginDto } from '../dto/auth.dto';

/**
 * Runs the local strategy on a sign-in route. Guards run before pipes, so the body is validated
 * here first: a missing or malformed field is a 400 with field messages, not a failed sign-in.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ValidationFailed({ body: ['validation.bodyObject'] });
    const { _csrf: _ignored, ...fields } = body as Record<string, unknown>;
    const dto = plainToInstance(LoginDto, fields);
    const problems = await validate(dto, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true });
    if (problems.length) {
      const errors: FieldErrors = {};
      for (const p of problems) errors[p.property] = Object.values(p.constraints ?? {});
      throw new ValidationFailed(errors);
    }
    (request as { body: unknown }).body = { ...(body), email: dto.email };
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, _info: unknown, _context: ExecutionContext): TUser {
    if (error instanceof AppError) throw error;
    if (error) throw error instanceof Error ? error : new Error('authentication failed');
    if (!user) throw new AccountsError('INVALID_CREDENTIALS');
    return user;
  }
}
