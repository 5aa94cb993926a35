/**
 * Command-line entry: `npm run cli -- <command> [options]`.
 * Commands that need no database (bank:parse) run without booting Nest; the rest boot an
 * application context (no HTTP server, no workers) and close it when done. Results are printed
 * as JSON on stdout; problems as one line on stderr with a non-zero exit.
 */
import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { withAppContext } from './infra/boot/app-context';
import { UsageError } from './infra/boot/args';
import { ConfigError } from './infra/config/config';
import { PreflightError } from './infra/boot/preflight';
import { ORG_CREATE_USAGE, orgCreate, USER_CREATE_USAGE, userCreate } from './modules/accounts/accounts.commands';
import { CREDENTIALS_KEYGEN_USAGE, credentialsKeygen } from './modules/credentials/credentials.commands';
import { runBankParse } from './modules/question-banks/formats/bank-parse.command';
import { BANK_EXPORT_USAGE, bankExport, BANK_IMPORT_USAGE, bankImport } from './modules/question-banks/question-banks.commands';

type Command =
  | { usage: string; standalone: (argv: string[]) => Promise<number> }
  | { usage: string; withApp: (app: INestApplicationContext, argv: string[]) => Promise<unknown> };

const commands: Record<string, Command> = {
  'bank:parse': {
    usage: 'bank:parse --json FILE...   (parse question files; no database)',
    standalone: (argv) => runBankParse(argv, (line: string) => process.stdout.write(line + '\n')),
  },
  'bank:import': { usage: BANK_IMPORT_USAGE, withApp: bankImport },
  'bank:export': { usage: BANK_EXPORT_USAGE, withApp: bankExport },
  'org:create': { usage: ORG_CREATE_USAGE, withApp: orgCreate },
  'user:create': { usage: USER_CREATE_USAGE, withApp: userCreate },
  'credentials:keygen': { usage: CREDENTIALS_KEYGEN_USAGE, standalone: (argv) => credentialsKeygen(argv, (line: string) => process.stdout.write(line + '\n')) },
};

export function registerCommand(name: string, command: Command): void {
  commands[name] = command;
}

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  const command = name ? commands[name] : undefined;
  if (!command) {
    console.error(`${name ? `unknown command "${name}". ` : ''}Commands:\n` + Object.values(commands).map((c) => '  ' + c.usage).join('\n'));
    return 2;
  }
  if ('standalone' in command) return command.standalone(argv);
  const result = await withAppContext((app) => command.withApp(app, argv));
  // A number is the command's exit status (it printed its own output); anything else is JSON.
  if (typeof result === 'number') return result;
  if (result !== undefined) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  return 0;
}

// exitCode, not exit(): a piped stdout must drain before the process ends.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof PreflightError) console.error(`error: ${error.message}`);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
