import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The project root (the folder holding package.json), found from this file whether it runs
 * from src/ (tests) or dist/src/ (built). Data files — views, locales, bank and course content —
 * are read from the source tree, so they are never copied or stale in dist/.
 */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findRoot(__dirname);
export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);
