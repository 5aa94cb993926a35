import { Injectable } from '@nestjs/common';
import { plainToInstance, ClassConstructor } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { translate } from '../i18n/i18n';
import { AppError } from './app-error';

export type FormErrors = Record<string, string>;

function firstMessages(errors: ValidationError[], prefix = '', into: FormErrors = {}): FormErrors {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) into[field] = Object.values(error.constraints)[0];
    if (error.children?.length) firstMessages(error.children, field, into);
  }
  return into;
}

/**
 * Web forms: validate the posted fields with the same DTO the API uses, run the use case, and on
 * a mistake re-render the form with what was typed and a message per field (nothing is lost).
 */
@Injectable()
export class WebForm {
  async handle<D extends object, R>(
    request: FastifyRequest,
    reply: FastifyReply,
    dtoClass: ClassConstructor<D>,
    body: unknown,
    steps: {
      run: (dto: D) => Promise<R>;
      success: (result: R) => FastifyReply | Promise<FastifyReply>;
      failure: (errors: FormErrors) => FastifyReply | Promise<FastifyReply>;
    },
  ): Promise<FastifyReply> {
    const input = { ...((body ?? {}) as Record<string, unknown>) };
    delete input._csrf;
    const dto = plainToInstance(dtoClass, input);
    const problems = await validate(dto, { whitelist: true, forbidUnknownValues: true, stopAtFirstError: true });
    if (problems.length) return steps.failure(this.localise(request, firstMessages(problems)));
    try {
      const result = await steps.run(dto);
      return await steps.success(result);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) {
        const errors: FormErrors = {};
        if (error.fields) for (const [field, messages] of Object.entries(error.fields)) errors[field] = messages[0];
        errors._form = translate(request.locale, error.messageKey, error.params);
        return steps.failure(this.localise(request, errors));
      }
      throw error;
    }
  }

  private localise(request: FastifyRequest, errors: FormErrors): FormErrors {
    return Object.fromEntries(Object.entries(errors).map(([field, message]) => [field, translate(request.locale, message)]));
  }
}
