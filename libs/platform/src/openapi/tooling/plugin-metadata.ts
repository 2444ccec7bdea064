/**
 * Runs the @nestjs/swagger CLI plugin ahead of time (build tooling, never loaded by a
 * running server). SWC cannot run TypeScript transformer plugins, so the plugin's
 * readonly visitor writes what it learns from the types, class-validator decorators and
 * doc comments into a `metadata.ts` that the app loads before scanning
 * (SwaggerModule.loadPluginMetadata). Only the files reachable from `rootFiles` are
 * visited, so unrelated DTOs never enter the file.
 */
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

export interface PluginMetadataOptions {
  tsconfigFile: string;
  /** Entry files; the program holds them and everything they import. */
  rootFiles: string[];
  /** Where the metadata file lives (its imports are relative to it). */
  outputFile: string;
  header: string;
}

/** The metadata file's text, formatted with the project's prettier config. */
export async function renderPluginMetadata(opts: PluginMetadataOptions): Promise<string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(opts.tsconfigFile, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`cannot read ${opts.tsconfigFile}`);
  const program = ts.createProgram({ rootNames: opts.rootFiles, options: parsed.options });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-plugin-metadata-'));
  try {
    new PluginMetadataGenerator().generate({
      visitors: [
        new ReadonlyVisitor({
          pathToSource: path.dirname(opts.outputFile),
          introspectComments: true,
          classValidatorShim: true,
          dtoFileNameSuffix: ['.dto.ts'],
          controllerFileNameSuffix: ['.controller.ts'],
        }),
      ],
      outputDir: scratch,
      filename: 'metadata.ts',
      tsProgramRef: program,
      printDiagnostics: false,
    });
    // The printer disables every lint rule for the file; it passes the lint as it is.
    const raw = fs
      .readFileSync(path.join(scratch, 'metadata.ts'), 'utf8')
      .replace('/* eslint-disable */\n', '');
    // Loaded on use: prettier starts dynamic imports when loaded, which Jest's VM refuses.
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(opts.outputFile)) ?? {};
    return prettier.format(opts.header + raw, { ...config, filepath: opts.outputFile });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
