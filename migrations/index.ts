// Every migration, in order. Listed explicitly (not globbed) so the same list works from
// TypeScript in tests and from dist/ in production. Never edit a migration after it lands.
import { Foundation1763790000000 } from './1763790000000-foundation';

export const migrations = [Foundation1763790000000];
