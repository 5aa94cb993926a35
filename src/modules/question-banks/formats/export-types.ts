import type { LocalizedText, QuestionContent } from '../domain/question';

export type ExportFormat = 'yaml' | 'qti3' | 'gift';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['yaml', 'qti3', 'gift'];

export interface ExportQuestion {
  id: string;
  status?: 'active' | 'retired';
  content: QuestionContent;
}

/** What an exporter needs: a bank's identity and its questions (QuestionBank fits). */
export interface ExportBankInput {
  bank: string;
  title?: LocalizedText;
  description?: LocalizedText;
  /** the bank's default locale (zh-CN when absent) */
  language?: string;
  questions: ExportQuestion[];
}

export interface ExportOptions {
  /** GIFT and QTI hold one language: the one to write (default: the bank's language) */
  language?: string;
}

export interface ExportResult {
  fileName: string;
  content: Buffer;
  /** what the target format could not hold (questions skipped, fields dropped) */
  warnings: string[];
}

/** Collects export warnings once per distinct message. */
export class ExportWarnings {
  private readonly seen = new Set<string>();
  readonly list: string[] = [];
  add(message: string): void {
    if (this.seen.has(message)) return;
    this.seen.add(message);
    this.list.push(message);
  }
}
