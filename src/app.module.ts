import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './infra/config/config';
import { ConfigModule } from './infra/config/config.module';
import { DatabaseModule } from './infra/database/database.module';
import { HttpInfraModule } from './infra/http/http-infra.module';
import { LoggingModule } from './infra/logging/logging.module';
import { ProcessRoles } from './infra/queue/process-roles';
import { QueueModule } from './infra/queue/queue.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AuditModule } from './modules/audit/audit.module';
import { CertificatesModule } from './modules/certificates/certificates.module';
import { CoursesModule } from './modules/courses/courses.module';
import { CredentialsModule } from './modules/credentials/credentials.module';
import { ExamsModule } from './modules/exams/exams.module';
import { HealthModule } from './modules/health/health.module';
import { IsvContributionsModule } from './modules/isv-contributions/isv-contributions.module';
import { IsvScoringModule } from './modules/isv-scoring/isv-scoring.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { OrganisationsModule } from './modules/organisations/organisations.module';
import { ProctoringModule } from './modules/proctoring/proctoring.module';
import { ProjectsModule } from './modules/projects/projects.module';
import { QuestionBanksModule } from './modules/question-banks/question-banks.module';

/** The monolith: infrastructure first, then one module per domain. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, roles: ProcessRoles): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        QueueModule.forRoot(roles),
        HttpInfraModule,
        AuditModule,
        NotificationsModule,
        OrganisationsModule,
        AccountsModule,
        HealthModule,
        QuestionBanksModule,
        CoursesModule,
        ExamsModule,
        ProctoringModule,
        IsvScoringModule,
        IsvContributionsModule,
        CertificatesModule,
        CredentialsModule,
        ProjectsModule,
      ],
    };
  }
}
