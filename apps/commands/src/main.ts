/** Runs the commands role alone (production layout); `herald dev` composes all roles in one process. */
import { bootRole } from '@herald/platform';
import { CommandsModule } from './commands.module';

bootRole('commands', [CommandsModule]).catch((err: unknown) => {
  process.stderr.write(`herald commands: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
