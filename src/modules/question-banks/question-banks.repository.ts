import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { offsetOf, PageRequest } from '../../infra/http/pagination';
import type { LocalizedText, QuestionContent } from './domain/question';
import { Bank, QuestionFilter, QuestionSummary, QuestionVersion } from './question-banks.types';

export interface QuestionRowForImport {
  id: string;
  externalId: string;
  contentHash: string;
  currentVersion: number;
  status: 'active' | 'retired';
}

/** What the import writes per question; the repository turns batches of these into set-based SQL. */
export interface QuestionWrite {
  questionId: string;
  versionId: string;
  externalId: string;
  version: number;
  content: QuestionContent;
  contentHash: string;
  status: 'active' | 'retired';
  /** order in its file; null keeps the question where it is (edits) */
  position: number | null;
}

const BATCH = 1000;

function searchText(content: QuestionContent): string {
  return [...Object.values(content.title ?? {}), ...Object.values(content.stem)].join(' \n ').toLowerCase().slice(0, 4000);
}

function toRecord(w: QuestionWrite, bankId: string, source: string, createdBy: string | null) {
  return {
    qid: w.questionId,
    vid: w.versionId,
    bank_id: bankId,
    external_id: w.externalId,
    version: w.version,
    content: w.content,
    content_hash: w.contentHash,
    status: w.status,
    type: w.content.type,
    difficulty: w.content.difficulty ?? null,
    tags: w.content.tags,
    languages: w.content.languages,
    search_text: searchText(w.content),
    position: w.position,
    source,
    created_by: createdBy,
  };
}

function versionRecord(r: ReturnType<typeof toRecord>, note: string | null) {
  return { vid: r.vid, qid: r.qid, version: r.version, content: r.content, content_hash: r.content_hash, source: r.source, created_by: r.created_by, note };
}

interface QuestionSummaryRow {
  id: string;
  bank_id: string;
  bank_name: string;
  external_id: string;
  status: 'active' | 'retired';
  type: QuestionSummary['type'];
  difficulty: number | null;
  tags: string[];
  languages: string[];
  current_version: number;
  current_version_id: string;
  stem: LocalizedText;
  updated_at: Date;
}

const toSummary = (r: QuestionSummaryRow): QuestionSummary => ({
  id: r.id,
  bankId: r.bank_id,
  bankName: r.bank_name,
  externalId: r.external_id,
  status: r.status,
  type: r.type,
  difficulty: r.difficulty,
  tags: r.tags,
  languages: r.languages,
  currentVersion: r.current_version,
  currentVersionId: r.current_version_id,
  stem: r.stem,
  updatedAt: r.updated_at,
});

const SUMMARY_SELECT = `SELECT q.id, q.bank_id, b.name AS bank_name, q.external_id, q.status, q.type, q.difficulty, q.tags, q.languages,
                               q.current_version, q.current_version_id, v.content->'stem' AS stem, q.updated_at
                          FROM questions q JOIN question_banks b ON b.id = q.bank_id JOIN question_versions v ON v.id = q.current_version_id`;

@Injectable()
export class QuestionBanksRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async upsertBank(
    bank: { name: string; title: LocalizedText; description: LocalizedText | null; language: string; source: string | null },
    manager: EntityManager,
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO question_banks (name, title, description, language, source) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET title = CASE WHEN EXCLUDED.title = '{}'::jsonb THEN question_banks.title ELSE EXCLUDED.title END,
             description = coalesce(EXCLUDED.description, question_banks.description), source = coalesce(EXCLUDED.source, question_banks.source),
             updated_at = CASE WHEN question_banks.title IS DISTINCT FROM EXCLUDED.title THEN now() ELSE question_banks.updated_at END
       RETURNING id`,
      [bank.name, JSON.stringify(bank.title), bank.description ? JSON.stringify(bank.description) : null, bank.language, bank.source],
    );
    return rows[0].id;
  }

  async findBankByName(name: string, manager?: EntityManager): Promise<Bank | null> {
    const rows = await this.listBanksWhere('b.name = $1', [name], manager);
    return rows[0] ?? null;
  }

  async findBankById(id: string): Promise<Bank | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows = await this.listBanksWhere('b.id = $1', [id]);
    return rows[0] ?? null;
  }

  async listBanks(): Promise<Bank[]> {
    return this.listBanksWhere('TRUE', []);
  }

  private async listBanksWhere(where: string, params: unknown[], manager?: EntityManager): Promise<Bank[]> {
    const rows: {
      id: string;
      name: string;
      title: LocalizedText;
      description: LocalizedText | null;
      language: string;
      source: string | null;
      n: string;
      active: string;
      updated_at: Date;
    }[] = await this.m(manager).query(
      `SELECT b.id, b.name, b.title, b.description, b.language, b.source, b.updated_at,
              (SELECT count(*) FROM questions q WHERE q.bank_id = b.id) AS n,
              (SELECT count(*) FROM questions q WHERE q.bank_id = b.id AND q.status = 'active') AS active
         FROM question_banks b WHERE ${where} ORDER BY b.name LIMIT 500`,
      params,
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      title: r.title,
      description: r.description,
      language: r.language,
      source: r.source,
      questionCount: Number(r.n),
      activeCount: Number(r.active),
      updatedAt: r.updated_at,
    }));
  }

  async questionsForImport(bankId: string, manager: EntityManager): Promise<Map<string, QuestionRowForImport>> {
    const rows: { id: string; external_id: string; content_hash: string; current_version: number; status: 'active' | 'retired' }[] =
      await manager.query(`SELECT id, external_id, content_hash, current_version, status FROM questions WHERE bank_id = $1`, [bankId]);
    return new Map(
      rows.map((r) => [r.external_id, { id: r.id, externalId: r.external_id, contentHash: r.content_hash, currentVersion: r.current_version, status: r.status }]),
    );
  }

  /** New questions with their first version, in batches of set-based inserts. */
  async insertQuestions(bankId: string, writes: QuestionWrite[], source: string, createdBy: string | null, manager: EntityManager): Promise<void> {
    for (let i = 0; i < writes.length; i += BATCH) {
      const records = writes.slice(i, i + BATCH).map((w) => toRecord(w, bankId, source, createdBy));
      // Each statement gets only its own columns: the content JSON goes to the versions alone.
      const batch = JSON.stringify(records.map(({ content: _c, source: _s, created_by: _b, ...question }) => question));
      await manager.query(
        `INSERT INTO questions (id, bank_id, external_id, status, current_version_id, current_version, content_hash, type, difficulty, tags, languages, search_text, position)
         SELECT x.qid, x.bank_id, x.external_id, x.status::question_status, x.vid, x.version, x.content_hash, x.type, x.difficulty,
                ARRAY(SELECT jsonb_array_elements_text(x.tags)), ARRAY(SELECT jsonb_array_elements_text(x.languages)), x.search_text, x.position
           FROM jsonb_to_recordset($1::jsonb) AS x(qid uuid, vid uuid, bank_id uuid, external_id text, status text, version int, content_hash text,
                type text, difficulty smallint, tags jsonb, languages jsonb, search_text text, position int)`,
        [batch],
      );
      await this.insertVersionRows(JSON.stringify(records.map((r) => versionRecord(r, null))), manager);
    }
  }

  /** Changed questions: a new version each, and the question row points at it. */
  async addVersions(bankId: string, writes: QuestionWrite[], source: string, createdBy: string | null, manager: EntityManager, note: string | null = null): Promise<void> {
    for (let i = 0; i < writes.length; i += BATCH) {
      const records = writes.slice(i, i + BATCH).map((w) => toRecord(w, bankId, source, createdBy));
      await this.insertVersionRows(JSON.stringify(records.map((r) => versionRecord(r, note))), manager);
      const batch = JSON.stringify(records.map(({ content: _c, source: _s, created_by: _b, ...question }) => question));
      await manager.query(
        `UPDATE questions q SET current_version_id = x.vid, current_version = x.version, content_hash = x.content_hash, type = x.type,
                difficulty = x.difficulty, tags = ARRAY(SELECT jsonb_array_elements_text(x.tags)), languages = ARRAY(SELECT jsonb_array_elements_text(x.languages)),
                search_text = x.search_text, status = x.status::question_status, position = coalesce(x.position, q.position), updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS x(qid uuid, vid uuid, version int, content_hash text, type text, difficulty smallint,
                tags jsonb, languages jsonb, search_text text, status text, position int)
          WHERE q.id = x.qid`,
        [batch],
      );
    }
  }

  private async insertVersionRows(batchJson: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO question_versions (id, question_id, version, content, content_hash, source, created_by, note)
       SELECT x.vid, x.qid, x.version, x.content, x.content_hash, x.source, x.created_by, x.note
         FROM jsonb_to_recordset($1::jsonb) AS x(vid uuid, qid uuid, version int, content jsonb, content_hash text, source text, created_by uuid, note text)`,
      [batchJson],
    );
  }

  /** Locks a question for an edit and returns its current content hash. */
  async lockContentHash(id: string, manager: EntityManager): Promise<string | null> {
    const rows: { content_hash: string }[] = await manager.query(`SELECT content_hash FROM questions WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0]?.content_hash ?? null;
  }

  async setStatuses(changes: { id: string; status: 'active' | 'retired' }[], manager: EntityManager): Promise<void> {
    if (!changes.length) return;
    await manager.query(
      `UPDATE questions q SET status = x.status::question_status, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, status text) WHERE q.id = x.id`,
      [JSON.stringify(changes)],
    );
  }

  async listQuestions(filter: QuestionFilter, page: PageRequest): Promise<{ items: QuestionSummary[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = ['TRUE'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.bankId) add('q.bank_id = ?', filter.bankId);
    if (filter.tag) add('q.tags @> ARRAY[?]::text[]', filter.tag);
    if (filter.type) add('q.type = ?', filter.type);
    if (filter.difficulty) add('q.difficulty = ?', filter.difficulty);
    if (filter.status) add('q.status = ?::question_status', filter.status);
    if (filter.q) add('q.search_text LIKE ?', `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    const clause = where.join(' AND ');
    const [{ n }]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM questions q WHERE ${clause}`, params);
    const rows: QuestionSummaryRow[] = await this.dataSource.query(
      `${SUMMARY_SELECT} WHERE ${clause} ORDER BY b.name, q.position, q.external_id LIMIT ${page.perPage} OFFSET ${offsetOf(page)}`,
      params,
    );
    return { items: rows.map(toSummary), total: Number(n) };
  }

  async findQuestion(id: string, manager?: EntityManager): Promise<QuestionSummary | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: QuestionSummaryRow[] = await this.m(manager).query(`${SUMMARY_SELECT} WHERE q.id = $1`, [id]);
    return rows[0] ? toSummary(rows[0]) : null;
  }

  async versions(questionId: string): Promise<QuestionVersion[]> {
    const rows: {
      id: string;
      question_id: string;
      version: number;
      content: QuestionContent;
      content_hash: string;
      source: 'import' | 'edit';
      created_by: string | null;
      created_by_name: string | null;
      note: string | null;
      created_at: Date;
    }[] = await this.dataSource.query(
      `SELECT v.*, u.name AS created_by_name FROM question_versions v LEFT JOIN users u ON u.id = v.created_by
        WHERE v.question_id = $1 ORDER BY v.version DESC LIMIT 500`,
      [questionId],
    );
    return rows.map((r) => ({
      id: r.id,
      questionId: r.question_id,
      version: r.version,
      content: r.content,
      contentHash: r.content_hash,
      source: r.source,
      createdBy: r.created_by,
      createdByName: r.created_by_name,
      note: r.note,
      createdAt: r.created_at,
    }));
  }

  /** Exact versions by id (what attempts and knowledge checks pinned). */
  async versionsByIds(ids: string[]): Promise<Map<string, { id: string; questionId: string; content: QuestionContent }>> {
    if (!ids.length) return new Map();
    const rows: { id: string; question_id: string; content: QuestionContent }[] = await this.dataSource.query(
      `SELECT id, question_id, content FROM question_versions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, { id: r.id, questionId: r.question_id, content: r.content }]));
  }

  /** Active questions carrying any of the tags, for practice and exam drawing. */
  async activeByTags(
    tags: string[],
    options: { types?: string[]; difficulties?: number[]; bankId?: string; excludeQuestionIds?: string[]; limit?: number } = {},
  ): Promise<{ questionId: string; versionId: string; type: string; difficulty: number | null; tags: string[] }[]> {
    const params: unknown[] = [tags];
    const where = [`q.status = 'active'`, `q.tags && $1::text[]`, `q.type <> 'description'`];
    if (options.types?.length) {
      params.push(options.types);
      where.push(`q.type = ANY($${params.length}::text[])`);
    }
    if (options.difficulties?.length) {
      params.push(options.difficulties);
      where.push(`q.difficulty = ANY($${params.length}::smallint[])`);
    }
    if (options.bankId) {
      params.push(options.bankId);
      where.push(`q.bank_id = $${params.length}`);
    }
    if (options.excludeQuestionIds?.length) {
      params.push(options.excludeQuestionIds);
      where.push(`NOT (q.id = ANY($${params.length}::uuid[]))`);
    }
    const rows: { id: string; current_version_id: string; type: string; difficulty: number | null; tags: string[] }[] = await this.dataSource.query(
      `SELECT q.id, q.current_version_id, q.type, q.difficulty, q.tags FROM questions q WHERE ${where.join(' AND ')} LIMIT ${options.limit ?? 5000}`,
      params,
    );
    return rows.map((r) => ({ questionId: r.id, versionId: r.current_version_id, type: r.type, difficulty: r.difficulty, tags: r.tags }));
  }

  async bankQuestionsForExport(bankId: string): Promise<{ externalId: string; status: 'active' | 'retired'; content: QuestionContent }[]> {
    const rows: { external_id: string; status: 'active' | 'retired'; content: QuestionContent }[] = await this.dataSource.query(
      `SELECT q.external_id, q.status, v.content FROM questions q JOIN question_versions v ON v.id = q.current_version_id
        WHERE q.bank_id = $1 ORDER BY q.position, q.external_id`,
      [bankId],
    );
    return rows.map((r) => ({ externalId: r.external_id, status: r.status, content: r.content }));
  }

  async saveUpload(fileName: string, bankName: string | null, content: Buffer, userId: string): Promise<string> {
    const rows: { id: string }[] = await this.dataSource.query(
      `INSERT INTO bank_uploads (file_name, bank_name, content, uploaded_by) VALUES ($1, $2, $3, $4) RETURNING id`,
      [fileName, bankName, content, userId],
    );
    return rows[0].id;
  }

  async findUpload(id: string, userId: string): Promise<{ fileName: string; bankName: string | null; content: Buffer; importedAt: Date | null } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: { file_name: string; bank_name: string | null; content: Buffer; imported_at: Date | null }[] = await this.dataSource.query(
      `SELECT file_name, bank_name, content, imported_at FROM bank_uploads WHERE id = $1 AND uploaded_by = $2`,
      [id, userId],
    );
    return rows[0] ? { fileName: rows[0].file_name, bankName: rows[0].bank_name, content: rows[0].content, importedAt: rows[0].imported_at } : null;
  }

  async markUploadImported(id: string, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE bank_uploads SET imported_at = now() WHERE id = $1`, [id]);
  }

  async tagCounts(): Promise<{ tag: string; count: number }[]> {
    const rows: { tag: string; n: string }[] = await this.dataSource.query(
      `SELECT t AS tag, count(*) AS n FROM questions, unnest(tags) t WHERE status = 'active' GROUP BY t ORDER BY t LIMIT 1000`,
    );
    return rows.map((r) => ({ tag: r.tag, count: Number(r.n) }));
  }
}
