import type { LocalizedText, QuestionContent, QuestionType } from './domain/question';

export interface Bank {
  id: string;
  name: string;
  title: LocalizedText;
  description: LocalizedText | null;
  language: string;
  source: string | null;
  questionCount: number;
  activeCount: number;
  updatedAt: Date;
}

export interface QuestionSummary {
  id: string;
  bankId: string;
  bankName: string;
  externalId: string;
  status: 'active' | 'retired';
  type: QuestionType;
  difficulty: number | null;
  tags: string[];
  languages: string[];
  currentVersion: number;
  currentVersionId: string;
  stem: LocalizedText;
  updatedAt: Date;
}

export interface QuestionVersion {
  id: string;
  questionId: string;
  version: number;
  content: QuestionContent;
  contentHash: string;
  source: 'import' | 'edit';
  createdBy: string | null;
  createdByName: string | null;
  note: string | null;
  createdAt: Date;
}

export interface QuestionFilter {
  bankId?: string;
  tag?: string;
  type?: QuestionType;
  difficulty?: number;
  status?: 'active' | 'retired';
  q?: string;
}

export interface ImportSummary {
  file: string;
  bank: string;
  format: string;
  new: number;
  changed: number;
  unchanged: number;
  skipped: number;
  notInFile: number;
  errors: { line: number; column?: number; message: string; entry?: string }[];
  warnings: { line: number; message: string; entry?: string }[];
  dryRun: boolean;
}
