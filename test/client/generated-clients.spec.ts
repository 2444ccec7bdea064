/**
 * The generated clients: committed output matches docs/openapi.yaml (npm run openapi:check),
 * an operation added to the spec becomes a typed method in both languages with no
 * hand-written code, and the Python client's offline tests pass under python3.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';

const ROOT = path.resolve(__dirname, '..', '..');
/* eslint-disable @typescript-eslint/no-require-imports -- the generator's own CommonJS modules */
const { loadSpec } = require('../../scripts/lib/clients/spec');
const { renderTypeScript } = require('../../scripts/lib/clients/typescript');
const { renderPython } = require('../../scripts/lib/clients/python');
/* eslint-enable @typescript-eslint/no-require-imports */

describe('generated clients', () => {
  jest.setTimeout(120_000);

  it('are up to date with docs/openapi.yaml and the event catalogue', () => {
    // A child process: the generator formats with prettier, which Jest's VM cannot load.
    const res = spawnSync(process.execPath, [path.join(ROOT, 'scripts/generate-clients.js'), '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect({ status: res.status, out: (res.stdout + res.stderr).trim() }).toEqual({
      status: 0,
      out: 'clients: up to date',
    });
  });

  it('turn an operation added to the spec into a typed method in both languages', () => {
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, 'docs/openapi.yaml'), 'utf8')) as any;
    doc.components.schemas.AuditEntryResponseDto = {
      type: 'object',
      required: ['id', 'action'],
      properties: {
        id: { type: 'string' },
        action: { type: 'string', enum: ['key.created', 'key.revoked'] },
      },
    };
    doc.paths['/api/v1/audit-log/{entry_id}/notes'] = {
      get: {
        operationId: 'listAuditNotes',
        summary: 'List notes',
        parameters: [
          { name: 'entry_id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer' } },
        ],
        responses: {
          '200': {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    data: { type: 'array', items: { $ref: '#/components/schemas/AuditEntryResponseDto' } },
                    meta: { $ref: '#/components/schemas/ListMeta' },
                  },
                },
              },
            },
          },
        },
      },
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'herald-spec-')), 'openapi.yaml');
    fs.writeFileSync(file, yaml.dump(doc));
    const spec = loadSpec(file);
    const ts: string = renderTypeScript(spec, ''); // unformatted: the generator runs prettier afterwards
    expect(ts).toContain(
      'export interface AuditEntry {\n  id: string;\n  action: "key.created" | "key.revoked";\n}',
    );
    expect(ts).toContain(
      'listAuditNotes(entry_id: string, query?: ListAuditNotesQuery, options?: RequestOptions): Promise<ApiResult<AuditEntry[], ListMeta>>',
    );
    expect(ts).toContain('`/api/v1/audit-log/${encodeURIComponent(entry_id)}/notes`');
    const py: string = renderPython(spec, '');
    expect(py).toContain(
      'def list_audit_notes(self, entry_id: str, *, cursor: Optional[str] = None, limit: Optional[int] = None) -> ApiResult[List["AuditEntry"]]:',
    );
    expect(py).toContain('"/api/v1/audit-log/{entry_id}/notes".format(entry_id=_path(entry_id))');
  });

  it('the TypeScript client is a package with no dependencies, for Node 18 and later', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'libs/client/package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@herald/client',
      engines: { node: '>=18' },
      types: 'dist/index.d.ts',
    });
    expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })).toEqual([]);
  });

  it('the Python client passes its offline tests', () => {
    const res = spawnSync('python3', ['-m', 'unittest', 'tests.test_client'], {
      cwd: path.join(ROOT, 'libs/client-python'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: res.status, tail: res.stderr.trim().split('\n').slice(-1)[0] }).toEqual({
      status: 0,
      tail: 'OK',
    });
  });
});
