import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../infra/config/config';
import { CredentialsApiController } from './credentials.api.controller';
import { CredentialsService } from './credentials.service';
import { IssuerKeys } from './issuer-keys';

/**
 * Open Badges 3.0 verifiable credentials (see credentials.service.ts): signing, the issuer's
 * public documents, verification. Owns no table; exports CredentialsService only.
 */
@Module({
  providers: [{ provide: IssuerKeys, inject: [APP_CONFIG], useFactory: (config: AppConfig) => IssuerKeys.fromConfig(config) }, CredentialsService],
  controllers: [CredentialsApiController],
  exports: [CredentialsService],
})
export class CredentialsModule {}
