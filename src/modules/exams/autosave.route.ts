import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ValidationFailed } from '../../infra/http/app-error';
import { LeanRoutes } from '../../infra/http/lean-routes';
import { metaOf } from './attempts.api.controller';
import { AttemptsService } from './attempts.service';

const FIELDS = ['response', 'seq', 'marked'] as const;

interface AjvError {
  instancePath?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
}

/** Turns Fastify's schema errors into the app's per-field messages. */
export function autosaveValidationError(error: { validation?: AjvError[] }): ValidationFailed {
  const fields: Record<string, string[]> = {};
  for (const e of error.validation ?? []) {
    const name =
      e.params?.missingProperty ?? e.instancePath?.split('/')[1] ?? e.params?.additionalProperty ?? '';
    const field = (FIELDS as readonly string[]).includes(name) ? name : 'body';
    fields[field] = [field === 'body' ? 'exams.validation.body' : `exams.validation.${field}`];
  }
  if (Object.keys(fields).length === 0) fields.body = ['exams.validation.body'];
  return new ValidationFailed(fields);
}

/**
 * PUT /api/v1/attempts/:attemptId/answers/:itemId — save one answer at once; idempotent by seq
 * (the highest wins); 409 after the deadline or when not in progress. Every open exam page sends
 * it on every change, so it is a lean route (infra/http/lean-routes.ts): authenticated like the
 * rest of the API, validated by a JSON schema, one SQL statement per save in the common case.
 */
@Injectable()
export class AutosaveRoute {
  constructor(routes: LeanRoutes, attempts: AttemptsService) {
    // Registered from the constructor: lean routes are mounted while the app is created, before
    // lifecycle hooks run.
    routes.add({
      method: 'PUT',
      url: '/api/v1/attempts/:attemptId/answers/:itemId',
      policy: 'authenticated',
      params: {
        type: 'object',
        properties: {
          attemptId: { type: 'string', maxLength: 64 },
          itemId: { type: 'string', maxLength: 64 },
        },
        required: ['attemptId', 'itemId'],
      },
      body: {
        type: 'object',
        properties: {
          response: {
            type: ['object', 'null'],
            description: 'the answer, shaped by question type (e.g. {"optionId": "x…"}); null clears it',
          },
          seq: {
            type: 'integer',
            minimum: 1,
            maximum: Number.MAX_SAFE_INTEGER,
            description: 'client sequence number; the highest one wins',
          },
          marked: { type: 'boolean', description: 'flagged for review by the candidate' },
        },
        required: ['response', 'seq'],
        additionalProperties: false,
      },
      openApi: {
        tags: ['exams'],
        summary: 'Save one answer; idempotent by seq (the highest wins)',
        responses: {
          200: {
            description: '{seq, savedAt}: the answer kept (a stale seq is acknowledged with the newer one)',
          },
          400: { description: 'the body does not fit the schema or the question' },
          401: { description: 'not signed in' },
          404: { description: 'no such attempt or item for this caller' },
          409: { description: 'DEADLINE_PASSED, ATTEMPT_NOT_IN_PROGRESS or SESSION_REPLACED' },
        },
      },
      handle: async (request: FastifyRequest, caller) => {
        if (request.validationError) throw autosaveValidationError(request.validationError);
        const params = request.params as { attemptId: string; itemId: string };
        const body = request.body as {
          response: Record<string, unknown> | null;
          seq: number;
          marked?: boolean;
        };
        return attempts.saveAnswer(
          { userId: caller.principal.id, sessionId: caller.sessionId },
          params.attemptId,
          params.itemId,
          body,
          metaOf(request),
        );
      },
    });
    // Submission is the other request everyone sends at once (the deadline of a sitting), and
    // clients that time out retry it: a lean route, so a retry costs little before it joins the
    // submission already in flight (AttemptsService.submit), which checks the callers' sessions
    // in the batch's transaction.
    routes.add({
      method: 'POST',
      url: '/api/v1/attempts/:attemptId/submission',
      policy: 'authenticated',
      params: { type: 'object', properties: { attemptId: { type: 'string', maxLength: 64 } }, required: ['attemptId'] },
      body: { type: 'object', additionalProperties: false, description: 'an empty JSON object' },
      openApi: {
        tags: ['exams'],
        summary: 'Submit the attempt; repeated calls return the same receipt',
        responses: {
          200: { description: '{receipt: {attemptId, submittedAt, answered, sha256}}' },
          401: { description: 'not signed in' },
          404: { description: 'no such attempt for this caller' },
          409: { description: 'ATTEMPT_NOT_IN_PROGRESS' },
        },
      },
      handle: async (request: FastifyRequest, caller) => {
        if (request.validationError) throw autosaveValidationError(request.validationError);
        const { attemptId } = request.params as { attemptId: string };
        return { receipt: await attempts.submit(caller.principal, attemptId, () => request.raw.socket.destroyed, caller.sessionId) };
      },
    });
  }
}
