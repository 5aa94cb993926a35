import type { FastifyRequest } from 'fastify';
import { IsvContributionsError } from './isv-contributions.errors';
import { EvidenceUpload } from './isv-contributions.types';
import { MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_FILES, safeFilename } from './submission-rules';

export interface MultipartForm {
  fields: Record<string, string | string[]>;
  files: EvidenceUpload[];
  /** A file the form could not take (too large, too many); the fields are still read so nothing typed is lost. */
  problem: IsvContributionsError | null;
}

const errorCode = (error: unknown): string | undefined => (error as { code?: string } | null)?.code;

/**
 * Reads a submission form sent as multipart/form-data: its text fields (repeated names become a
 * list) and its files, each read to at most the size limit. Empty file inputs are skipped.
 */
export async function readMultipartForm(req: FastifyRequest): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, files: [], problem: null };
  if (!req.isMultipart()) {
    const body = (req.body ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string' || Array.isArray(v)) form.fields[k] = v as string | string[];
    return form;
  }
  const add = (name: string, value: string) => {
    const existing = form.fields[name];
    form.fields[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  };
  try {
    // Size is checked here (throwFileSizeLimit off) so one oversized file becomes a message on the form, not a bare 413.
    // (@fastify/multipart reads throwFileSizeLimit per call; its types for parts() only omit it.)
    const options = { limits: { files: MAX_EVIDENCE_FILES, fileSize: MAX_EVIDENCE_FILE_BYTES, fields: 50, fieldSize: 100_000 }, throwFileSizeLimit: false };
    const parts = req.parts(options);
    for await (const part of parts) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') add(part.fieldname, part.value);
        continue;
      }
      const content = await part.toBuffer();
      if (part.file.truncated) {
        form.problem ??= new IsvContributionsError('EVIDENCE_FILE_TOO_LARGE', { filename: safeFilename(part.filename), maxMb: MAX_EVIDENCE_FILE_BYTES / (1024 * 1024) });
        continue;
      }
      if (!part.filename && content.length === 0) continue;
      form.files.push({ filename: part.filename, content });
    }
  } catch (error) {
    if (errorCode(error) !== 'FST_FILES_LIMIT') throw error;
    form.problem ??= new IsvContributionsError('TOO_MANY_FILES', { max: MAX_EVIDENCE_FILES });
  }
  return form;
}
