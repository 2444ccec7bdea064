/** Runs the translator role alone (production layout); `herald dev` composes all roles in one process. */
import { bootRole } from '@herald/platform';
import { TranslatorModule } from './translator.module';

bootRole('translator', [TranslatorModule]).catch((err: unknown) => {
  process.stderr.write(`herald translator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
