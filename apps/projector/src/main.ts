/** Runs the projector role alone (production layout); `herald dev` composes all roles in one process. */
import { bootRole } from '@herald/platform';
import { ProjectorModule } from './projector.module';

bootRole('projector', [ProjectorModule]).catch((err: unknown) => {
  process.stderr.write(`herald projector: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
