// Every migration, in order. Listed explicitly (not globbed) so the same list works from
// TypeScript in tests and from dist/ in production. Never edit a migration after it lands.
import { Foundation1763790000000 } from './1763790000000-foundation';
import { QuestionBanks1763790100000 } from './1763790100000-question-banks';
import { Courses1763790200000 } from './1763790200000-courses';
import { Exams1763790300000 } from './1763790300000-exams';
import { Certificates1763790400000 } from './1763790400000-certificates';
import { CertificatesLifecycle1763790410000 } from './1763790410000-certificates-lifecycle';
import { Projects1763790500000 } from './1763790500000-projects';
import { IsvContributions1763790510000 } from './1763790510000-isv-contributions';
import { IsvScoring1763790600000 } from './1763790600000-isv-scoring';

export const migrations = [Foundation1763790000000, QuestionBanks1763790100000, Courses1763790200000, Exams1763790300000, Certificates1763790400000, CertificatesLifecycle1763790410000, Projects1763790500000, IsvContributions1763790510000, IsvScoring1763790600000];
