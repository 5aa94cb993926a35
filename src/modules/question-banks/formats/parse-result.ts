import type { LocalizedText, QuestionContent } from '../domain/question';

export type BankFormat = 'yaml' | 'gift' | 'moodlexml' | 'aiken' | 'qti2' | 'qti3';
export const BANK_FORMATS: readonly BankFormat[] = ['yaml', 'gift', 'moodlexml', 'aiken', 'qti2', 'qti3'];

export interface ParseIssue {
  /** 1-based line in the file (or in `entry` inside a package) */
  line: number;
  /** 1-based column, when known */
  column?: number;
  message: string;
  /** path of the package entry the line refers to (QTI content packages) */
  entry?: string;
}

export interface ParsedQuestion {
  /** identity the file gives the question (YAML id, GIFT `// [id:]`, Moodle idnumber, QTI identifier) */
  id?: string;
  status?: 'active' | 'retired';
  /** line where the question starts (in `entry` for packages) */
  line: number;
  entry?: string;
  content: QuestionContent;
}

export interface BankMeta {
  bank: string;
  title: LocalizedText;
  description?: LocalizedText;
}

export interface ParseResult {
  format: BankFormat | 'unknown';
  /** locale given to plain-string texts */
  language: string;
  /** native YAML only */
  bank?: BankMeta;
  /** in file order; a question with an error is left out, the others are still returned */
  questions: ParsedQuestion[];
  errors: ParseIssue[];
  warnings: ParseIssue[];
}

export interface ParseOptions {
  /** locale for texts of formats that carry none (GIFT, Aiken, Moodle XML); default zh-CN */
  language?: string;
}

/** Collects issues for one file (or one package entry). */
export class IssueSink {
  readonly errors: ParseIssue[] = [];
  readonly warnings: ParseIssue[] = [];
  private readonly seenWarnings = new Set<string>();

  constructor(private readonly entry?: string) {}

  error(line: number, message: string, column?: number): void {
    this.errors.push(this.issue(line, message, column));
  }

  warn(line: number, message: string, column?: number): void {
    this.warnings.push(this.issue(line, message, column));
  }

  /** a warning given once per file, however often the situation occurs */
  warnOnce(key: string, line: number, message: string): void {
    if (this.seenWarnings.has(key)) return;
    this.seenWarnings.add(key);
    this.warn(line, message);
  }

  private issue(line: number, message: string, column?: number): ParseIssue {
    const issue: ParseIssue = { line: Math.max(1, line), message };
    if (column !== undefined) issue.column = Math.max(1, column);
    if (this.entry !== undefined) issue.entry = this.entry;
    return issue;
  }
}
