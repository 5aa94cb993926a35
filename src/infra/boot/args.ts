/** Parses `--name value` and `--flag` options; positional arguments are returned in order. */
export function parseArgs(argv: string[]): { options: Map<string, string | true>; positional: string[] } {
  const options = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2);
      if (inline !== undefined) options.set(key, inline);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options.set(key, argv[++i]);
      else options.set(key, true);
    } else positional.push(arg);
  }
  return { options, positional };
}

export class UsageError extends Error {}

export function required(options: Map<string, string | true>, name: string, usage: string): string {
  const value = options.get(name);
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing --${name}. Usage: ${usage}`);
  return value;
}
