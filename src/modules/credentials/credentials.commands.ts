import { UsageError } from '../../infra/boot/args';
import { generateSigningKey } from './domain/key-material';

export const CREDENTIALS_KEYGEN_USAGE = 'credentials:keygen   (print a new Ed25519 issuer key for CREDENTIAL_SIGNING_KEY; no database)';

/** Prints a new key as env-file lines. The secret goes to stdout only: put it in a secrets store, never in the repository. */
export function credentialsKeygen(argv: string[], print: (line: string) => void): Promise<number> {
  if (argv.length) throw new UsageError(`credentials:keygen takes no arguments (got "${argv.join(' ')}")`);
  const key = generateSigningKey();
  print('# Ed25519 issuer key for Open Badges credentials. Keep CREDENTIAL_SIGNING_KEY secret (secrets store, not the repository).');
  print(`CREDENTIAL_SIGNING_KEY=${key.secretKeyMultibase}`);
  print(`# Public key, published in /.well-known/did.json once the app runs with it: ${key.publicKeyMultibase}`);
  print('# When replacing an earlier key, add its public key to CREDENTIAL_RETIRED_PUBLIC_KEYS so credentials signed with it keep verifying.');
  return Promise.resolve(0);
}
