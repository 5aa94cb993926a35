/**
 * `bank:parse [--json] [--language LOCALE] FILE...` — parses question files without touching the
 * database. With --json: one JSON object per file, in FILE order (the conformance shape: texts
 * flattened to the file's language). Exit status 0 when no file has errors, 1 otherwise, 2 on a
 * usage error. A file that cannot be read still gets its line, with an error.
 */
import { readFile } from 'node:fs/promises';
import { pickText, type LocalizedText, type NumericGap, type QuestionContent, type TextGap } from '../domain/question';
import type { ParseIssue, ParseResult, ParsedQuestion } from './parse-result';
import { parseQuestionFile } from './parse-file';

export interface FlatQuestion {
  id?: string;
  line: number;
  entry?: string;
  type: QuestionContent['type'];
  title: string | null;
  stem: string;
  options?: Array<{ text: string; fraction: number }>;
  scoring?: string;
  answer?: boolean;
  gaps?: Array<{ answers: Array<{ text: string; fraction: number }>; caseSensitive: boolean } | { answers: Array<{ value: number; tolerance: number; fraction: number }> }>;
  pairs?: Array<{ prompt: string; match: string }>;
  rubric?: string;
  explanation?: string;
  tags: string[];
  category: string | null;
  difficulty?: number;
}

/** A parsed question in the conformance shape: every localized text as the file's language string. */
export function flattenQuestion(q: ParsedQuestion, language: string): FlatQuestion {
  const c = q.content;
  const t = (text: LocalizedText | null | undefined): string => pickText(text, language);
  const flat: FlatQuestion = { line: q.line, type: c.type, title: c.title ? t(c.title) : null, stem: t(c.stem), tags: c.tags, category: c.category ?? null };
  if (q.id !== undefined) flat.id = q.id;
  if (q.entry !== undefined) flat.entry = q.entry;
  if (c.difficulty !== undefined) flat.difficulty = c.difficulty;
  if (c.options) flat.options = c.options.map((o) => ({ text: t(o.text), fraction: o.fraction }));
  if (c.scoring) flat.scoring = c.scoring;
  if (c.answer !== undefined) flat.answer = c.answer;
  if (c.type === 'short_answer') {
    flat.gaps = ((c.gaps ?? []) as TextGap[]).map((g) => ({ answers: g.answers.map((a) => ({ text: t(a.text), fraction: a.fraction })), caseSensitive: g.caseSensitive }));
  } else if (c.type === 'numeric') {
    flat.gaps = ((c.gaps ?? []) as NumericGap[]).map((g) => ({ answers: g.answers.map((a) => ({ value: a.value, tolerance: a.tolerance, fraction: a.fraction })) }));
  }
  if (c.pairs) flat.pairs = c.pairs.map((p) => ({ prompt: p.prompt ? t(p.prompt) : '', match: t(p.match) }));
  if (c.rubric) flat.rubric = t(c.rubric);
  if (c.explanation) flat.explanation = t(c.explanation);
  return flat;
}

export function toJsonLine(file: string, result: ParseResult): string {
  return JSON.stringify({
    file,
    format: result.format,
    questions: result.questions.map((q) => flattenQuestion(q, result.language)),
    errors: result.errors,
    warnings: result.warnings,
  });
}

function issueLine(file: string, kind: string, issue: ParseIssue): string {
  const where = `${file}${issue.entry ? `!${issue.entry}` : ''}:${issue.line}${issue.column ? `:${issue.column}` : ''}`;
  return `  ${where} ${kind}: ${issue.message}`;
}

export async function runBankParse(argv: string[], write: (line: string) => void): Promise<number> {
  let json = false;
  let language: string | undefined;
  const files: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    if (arg === '--json') json = true;
    else if (arg === '--language') language = argv[++k];
    else if (arg.startsWith('--language=')) language = arg.slice('--language='.length);
    else if (arg === '--') continue;
    else if (arg.startsWith('--')) {
      write(`bank:parse: unknown option ${arg}. Usage: bank:parse [--json] [--language LOCALE] FILE...`);
      return 2;
    } else files.push(arg);
  }
  if (!files.length) {
    write('bank:parse: no file given. Usage: bank:parse [--json] [--language LOCALE] FILE...');
    return 2;
  }
  // a reader that stops early (`| head`) closes the pipe: not an error worth a stack trace
  if (!process.stdout.listeners('error').includes(ignoreClosedPipe)) process.stdout.on('error', ignoreClosedPipe);
  let failed = false;
  for (const file of files) {
    let result: ParseResult;
    try {
      const content = await readFile(file);
      result = parseQuestionFile(file, content, language ? { language } : {});
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : e instanceof Error ? e.message : String(e);
      result = { format: 'unknown', language: language ?? 'zh-CN', questions: [], errors: [{ line: 1, message: `cannot read the file: ${reason}` }], warnings: [] };
    }
    if (result.errors.length) failed = true;
    if (json) {
      write(toJsonLine(file, result));
    } else {
      write(`${file}: ${result.format}, ${result.questions.length} question(s), ${result.errors.length} error(s), ${result.warnings.length} warning(s)`);
      for (const e of result.errors) write(issueLine(file, 'error', e));
      for (const w of result.warnings) write(issueLine(file, 'warning', w));
    }
  }
  await stdoutFlushed();
  return failed ? 1 : 0;
}

/**
 * Waits until what was written to stdout has reached the OS. On POSIX, writes to a pipe are
 * asynchronous: a caller that calls process.exit() right after us would otherwise cut the output
 * of a large file off at the pipe's buffer size (64 KB).
 */
function ignoreClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
}

async function stdoutFlushed(): Promise<void> {
  const out = process.stdout;
  if (!out.writableLength) return;
  await new Promise<void>((resolve) => {
    out.write('', () => resolve());
  });
}
