/**
 * The `herald` command line. Every command has --help; errors are one line on
 * stderr and a non-zero exit; --json puts machine-readable output on stdout.
 */
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { errorLine } from './cli-context';
import { registerAdmins } from './commands/admins.command';
import { registerClients } from './commands/clients.command';
import { registerDeadLetters } from './commands/deadletters.command';
import { registerDeliveries } from './commands/deliveries.command';
import { registerDev } from './commands/dev.command';
import { registerKeys } from './commands/keys.command';
import { registerMigrate } from './commands/migrate.command';
import { registerReplay } from './commands/replay.command';
import { registerTenants } from './commands/tenants.command';
import { registerTopics } from './commands/topics.command';

const program = new Command()
  .name('herald')
  .description('Herald: public events API and webhook delivery platform')
  .showHelpAfterError(false)
  .exitOverride();

registerDev(program);
registerMigrate(program);
registerTenants(program);
registerKeys(program);
registerClients(program);
registerAdmins(program);
registerReplay(program);
registerDeliveries(program);
registerTopics(program);
registerDeadLetters(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // commander already printed its one-line message (or the help text).
    process.exit(err.exitCode);
  }
  process.stderr.write(`herald: ${errorLine(err)}\n`);
  process.exit(1);
});
