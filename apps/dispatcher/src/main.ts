/** Runs the dispatcher role alone (production layout); `herald dev` composes all roles in one process. */
import { bootRole } from '@herald/platform';
import { DispatcherModule } from './dispatcher.module';

bootRole('dispatcher', [DispatcherModule]).catch((err: unknown) => {
  process.stderr.write(`herald dispatcher: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
