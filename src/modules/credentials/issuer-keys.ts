/**
 * The issuer's signing key and public identity, made once at boot from the configuration.
 * Without CREDENTIAL_SIGNING_KEY (allowed in development and test only; config.ts refuses it in
 * production) a fresh key is generated and a warning logged: credentials signed by this process
 * then stop verifying after a restart, and a separate worker process would sign with another key.
 * The secret never leaves this object: not logged, not in any document.
 */
import { Logger } from '@nestjs/common';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Ed25519MultikeyPair } from '@digitalbazaar/ed25519-multikey';
import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../../infra/config/config';
import { didWebFor, IssuerIdentity } from './domain/open-badge';

export class IssuerKeys {
  private constructor(
    readonly identity: IssuerIdentity,
    readonly signingKey: Ed25519MultikeyPair,
    readonly ephemeral: boolean,
  ) {}

  static async fromConfig(config: Pick<AppConfig, 'publicBaseUrl' | 'credentials'>, logger = new Logger('credentials')): Promise<IssuerKeys> {
    const { signingKeySeed, keyId, retiredPublicKeys } = config.credentials;
    const did = didWebFor(config.publicBaseUrl);
    const ephemeral = signingKeySeed === null;
    const seed = signingKeySeed ?? new Uint8Array(randomBytes(32));
    // The key pair first without an id, to learn its public key (the default key id).
    const probe = await Ed25519Multikey.generate({ seed, controller: did });
    const id = `${did}#${keyId ?? probe.publicKeyMultibase}`;
    const signingKey = await Ed25519Multikey.generate({ seed, controller: did, id });
    const retired = retiredPublicKeys
      .map((k) => ({ id: `${did}#${k.keyId}`, publicKeyMultibase: k.publicKeyMultibase }))
      .filter((k) => k.id !== id && k.publicKeyMultibase !== signingKey.publicKeyMultibase);
    if (ephemeral) {
      logger.warn(
        'CREDENTIAL_SIGNING_KEY is not set: Open Badges credentials are signed with a key generated at this boot, ' +
          'so they will not verify after a restart (nor across processes). Set one from `npm run cli -- credentials:keygen`.',
      );
    }
    return new IssuerKeys({ did, publicBaseUrl: config.publicBaseUrl, keys: [{ id, publicKeyMultibase: signingKey.publicKeyMultibase }, ...retired] }, signingKey, ephemeral);
  }
}
