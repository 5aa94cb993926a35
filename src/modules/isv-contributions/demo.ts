/**
 * Demo contributions and co-built products for `npm run demo` (call after the demo people exist;
 * idempotent: nothing is added when the demo ISV already has records). Made through the service,
 * so approvals write their score events like real ones; dates are relative to today so they stay
 * inside the 12-month window.
 */
import { INestApplicationContext } from '@nestjs/common';
import { Principal } from '../../infra/http/access';
import { User } from '../accounts/accounts.types';
import { UsersService } from '../accounts/users.service';
import { SYSTEM_ACTOR } from '../organisations/organisations.service';
import { IsvContributionsService } from './isv-contributions.service';
import { ContributionKind, SubmissionType } from './isv-contributions.types';

const principalOf = (u: User): Principal => ({ id: u.id, email: u.email, name: u.name, role: u.role, organisationId: u.organisationId, locale: u.locale, via: 'session' });
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

/** A one-page PDF, so the demo shows an uploaded file next to the links. */
const DEMO_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 100]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n' +
    '4 0 obj<</Length 58>>stream\nBT /F1 12 Tf 20 50 Td (Attendance sheet - demo training) Tj ET\nendstream endobj\n' +
    '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

interface DemoRecord {
  type: SubmissionType;
  kind?: ContributionKind;
  title: string;
  description: string;
  daysAgo: number;
  url: string;
  withFile?: boolean;
  decision?: { approve: true; note?: string } | { approve: false; note: string };
}

const RECORDS: DemoRecord[] = [
  {
    type: 'contribution',
    kind: 'training',
    title: '数据银行与 AIPL 人群运营培训（燕麦星球品牌团队）',
    description: 'Two half-day sessions for the brand team of Oat Planet on Data Bank and AIPL audience operations; 28 attendees.',
    daysAgo: 120,
    url: 'https://tmic.example/demo/training/data-bank-aipl',
    withFile: true,
    decision: { approve: true, note: 'Attendance sheet checked.' },
  },
  {
    type: 'contribution',
    kind: 'case_study',
    title: '新品试销诊断案例：燕麦奶新口味 30 天试销复盘',
    description: 'Published case study of a 30-day trial sale, with the diagnosis and the launch decision.',
    daysAgo: 75,
    url: 'https://tmic.example/demo/cases/oat-milk-trial',
    decision: { approve: true },
  },
  {
    type: 'contribution',
    kind: 'event',
    title: 'TMIC 新品策划师线下沙龙（上海）',
    description: 'Co-hosted a planner meetup on launch marketing (content seeding and campaign timing); 60 participants.',
    daysAgo: 20,
    url: 'https://tmic.example/demo/events/planner-salon-shanghai',
  },
  {
    type: 'contribution',
    kind: 'mentoring',
    title: '带教两名新策划师完成首个项目',
    description: 'Mentored two new planners through their first TMIC project.',
    daysAgo: 40,
    url: 'https://tmic.example/demo/mentoring/notes',
    decision: { approve: false, note: 'Please attach the project names and the mentees’ sign-off.' },
  },
  {
    type: 'product',
    title: '新品趋势雷达（共建工具）',
    description: 'A trend-radar tool built on TMIC trend intelligence, used by three brands to find white-space categories.',
    daysAgo: 150,
    url: 'https://tmic.example/demo/products/trend-radar',
    decision: { approve: true, note: 'Live with three brands.' },
  },
  {
    type: 'product',
    title: '仿真实验室价格测试模板',
    description: 'Reusable price-test templates for the simulation lab.',
    daysAgo: 10,
    url: 'https://tmic.example/demo/products/price-test-templates',
  },
];

export async function seedIsvContributionsDemo(app: INestApplicationContext): Promise<{ added: number }> {
  const users = app.get(UsersService);
  const service = app.get(IsvContributionsService);
  const manager = await users.findByEmail('manager1@demo.example');
  const staff = await users.findByEmail('staff@demo.example');
  if (!manager?.organisationId || !staff) return { added: 0 };
  const me = principalOf(manager);
  const reviewer = principalOf(staff);
  const existing = await Promise.all(
    (['contribution', 'product'] as const).map((type) => service.list(me, type, manager.organisationId!, {}, { page: 1, perPage: 1 })),
  );
  if (existing.some((page) => page.total > 0)) return { added: 0 };
  const managerActor = { ...SYSTEM_ACTOR, id: manager.id, label: 'demo' };
  const staffActor = { ...SYSTEM_ACTOR, id: staff.id, label: 'demo' };
  let added = 0;
  for (const record of RECORDS) {
    const created = await service.submit(
      me,
      record.type,
      manager.organisationId,
      {
        kind: record.kind,
        title: record.title,
        description: record.description,
        occurredAt: daysAgo(record.daysAgo),
        evidenceUrls: [record.url],
        files: record.withFile ? [{ filename: 'attendance-sheet.pdf', content: DEMO_PDF }] : [],
      },
      managerActor,
    );
    added++;
    if (record.decision?.approve) await service.approve(reviewer, record.type, created.id, record.decision.note ?? null, staffActor);
    else if (record.decision) await service.reject(reviewer, record.type, created.id, record.decision.note, staffActor);
  }
  return { added };
}
