import { DynamicModule, Global, Module } from '@nestjs/common';
import { JobRegistry } from './jobs';
import { Outbox, OutboxRelay } from './outbox';
import { PROCESS_ROLES, ProcessRoles } from './process-roles';
import { QueueService } from './queue.service';
import { WorkerRunner } from './worker-runner';

@Global()
@Module({})
export class QueueModule {
  static forRoot(roles: ProcessRoles): DynamicModule {
    return {
      module: QueueModule,
      providers: [
        { provide: PROCESS_ROLES, useValue: roles },
        { provide: JobRegistry, useValue: new JobRegistry() },
        QueueService,
        Outbox,
        OutboxRelay,
        WorkerRunner,
      ],
      exports: [PROCESS_ROLES, JobRegistry, QueueService, Outbox, OutboxRelay],
    };
  }
}
