/**
 * The job registry: every background job has a name `<entity>.<action>`, a typed payload
 * (modules extend `JobPayloads` by declaration merging), exactly one handler, and retry settings
 * chosen on purpose. Defining a name twice fails at boot; a job with no handler fails at boot.
 */
export interface JobPayloads {
  'session.purgeExpired': Record<string, never>;
}

export type JobName = keyof JobPayloads;

export interface JobDefinition<N extends JobName> {
  name: N;
  /** Queue the job runs on; jobs that must not wait behind others get their own. */
  queue: string;
  attempts: number;
  backoffMs: number;
  handler: (payload: JobPayloads[N], meta: { jobId: string | undefined; attemptsMade: number }) => Promise<void>;
  /** Repeat on a cron pattern (UTC), e.g. nightly jobs. */
  repeat?: { pattern: string };
}

// A definition of any name; the handler's payload is checked where it is defined.
export type AnyJobDefinition = { [N in JobName]: JobDefinition<N> }[JobName];

export class JobRegistry {
  private readonly definitions = new Map<string, AnyJobDefinition>();

  define<N extends JobName>(definition: JobDefinition<N>): void {
    if (this.definitions.has(definition.name)) throw new Error(`job "${definition.name}" is defined twice`);
    this.definitions.set(definition.name, definition as unknown as AnyJobDefinition);
  }

  get(name: string): AnyJobDefinition | undefined {
    return this.definitions.get(name);
  }

  all(): AnyJobDefinition[] {
    return [...this.definitions.values()];
  }

  queues(): string[] {
    return [...new Set(this.all().map((d) => d.queue))];
  }
}
