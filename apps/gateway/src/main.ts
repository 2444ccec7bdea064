/** Runs the gateway role alone (production layout); `herald dev` composes all roles in one process. */
import { bootRole } from '@herald/platform';
import { GatewayModule } from './gateway.module';

bootRole('gateway', [GatewayModule]).catch((err: unknown) => {
  process.stderr.write(`herald gateway: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
