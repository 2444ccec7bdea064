/**
 * @herald/receiver as it would be published: libs/receiver copied alone, built with its
 * own build script by `npm pack`, the tarball unpacked into a fresh app's node_modules and
 * loaded there with `require` by a separate Node process: the main entry and every
 * subpath export load, types ship beside the code, and a signature made by Herald's signer
 * verifies with the packed code.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateEndpointSecret } from '../../libs/webhooks/src/secrets/endpoint-secret';
import { webhookHeaders } from '../../libs/webhooks/src/signing';
import { REPO_ROOT } from '../support/herald-process';

const SOURCE = path.join(REPO_ROOT, 'libs', 'receiver');

describe('@herald/receiver, packed', () => {
  let dir: string;
  let tarball: string;
  let app: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-receiver-pack-'));
    const pkg = path.join(dir, 'pkg');
    fs.mkdirSync(pkg);
    for (const entry of ['package.json', 'tsconfig.build.json', 'README.md', 'src']) {
      fs.cpSync(path.join(SOURCE, entry), path.join(pkg, entry), { recursive: true });
    }
    // The build needs TypeScript and the optional peers' types, as a publisher's checkout has.
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
      cwd: pkg,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(packed.slice(packed.indexOf('['))) as Array<{ filename: string }>;
    tarball = path.join(out, info!.filename);
    app = path.join(dir, 'app');
    const target = path.join(app, 'node_modules', '@herald', 'receiver');
    fs.mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  }, 180_000);

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ships the compiled code, its types, the README and package.json, and no sources or specs', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''))
      .sort();
    for (const f of [
      'package.json',
      'README.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/nest.js',
      'dist/express.d.ts',
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.includes('spec'))).toEqual([]);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(app, 'node_modules/@herald/receiver/package.json'), 'utf8'),
    );
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.engines.node).toBe('>=18');
  });

  it('contains no import of Herald code', () => {
    const dist = path.join(app, 'node_modules/@herald/receiver/dist');
    const offenders = fs
      .readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js') || f.endsWith('.d.ts'))
      .filter((f) =>
        /require\("@herald\/|from '@herald\/|require\("\.\.\/\.\.\//.test(
          fs.readFileSync(path.join(dist, f), 'utf8'),
        ),
      );
    expect(offenders).toEqual([]);
  });

  it('loads with require in a fresh app and verifies a delivery signed by Herald', () => {
    const secret = generateEndpointSecret('standard-webhooks').signing;
    const body = JSON.stringify({
      id: 'evt_pack',
      type: 'post.created',
      created_at: new Date().toISOString(),
      data: {},
    });
    const headers = webhookHeaders(
      'standard-webhooks',
      { current: secret },
      {
        eventId: 'evt_pack',
        eventType: 'post.created',
        deliveryId: 'dlv_pack',
        body,
        timestamp: Math.floor(Date.now() / 1000),
      },
    );
    const script = `
      const r = require('@herald/receiver');
      const out = {
        main: Object.keys(r).sort(),
        express: typeof require('@herald/receiver/express').heraldWebhook,
        fastify: typeof require('@herald/receiver/fastify').rawJsonBody,
        nest: typeof require('@herald/receiver/nest').HeraldWebhook,
        resolved: require.resolve('@herald/receiver'),
        event: r.verify(JSON.parse(process.argv[1]), process.argv[2], process.argv[3]),
      };
      let code;
      try { r.verify(JSON.parse(process.argv[1]), process.argv[2] + ' ', process.argv[3]); } catch (e) { code = e.code; }
      out.tampered = code;
      process.stdout.write(JSON.stringify(out));
    `;
    // NODE_PATH only lends the optional peers (@nestjs/common, rxjs) the nest entry needs.
    const output = execFileSync(process.execPath, ['-e', script, JSON.stringify(headers), body, secret], {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_PATH: path.join(REPO_ROOT, 'node_modules') },
    });
    const out = JSON.parse(output);
    expect(out.resolved).toBe(path.join(app, 'node_modules/@herald/receiver/dist/index.js'));
    expect(out.main).toEqual(
      expect.arrayContaining([
        'verify',
        'verifyDelivery',
        'WebhookVerificationError',
        'MemoryDedupeStore',
        'PostgresDedupeStore',
        'RedisDedupeStore',
        'receiveWebhook',
      ]),
    );
    expect([out.express, out.fastify, out.nest]).toEqual(['function', 'function', 'function']);
    expect(out.event).toEqual(JSON.parse(body));
    expect(out.tampered).toBe('bad_signature');
  });
});
