/**
 * Demo scores for `npm run demo` (call last, after certificates, projects and contributions):
 * scores every ISV once so the dashboards and the ranking have a stored score at once, rather
 * than after the worker has drained the demo's score events. Idempotent: an unchanged score
 * stores no new snapshot.
 */
import { INestApplicationContext } from '@nestjs/common';
import { IsvRecomputeService } from './isv-recompute.service';

export async function seedIsvScoringDemo(app: INestApplicationContext): Promise<{ isvs: number; snapshots: number }> {
  const result = await app.get(IsvRecomputeService).recomputeAll('full');
  return { isvs: result.isvs, snapshots: result.snapshots };
}
