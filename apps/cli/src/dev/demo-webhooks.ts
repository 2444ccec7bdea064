/**
 * The newcomer demo of `herald dev`: start the demo receiver, let this process's
 * dispatcher trust and reach it, register the `dev` tenant's endpoint for it, and say
 * how to look. Development only: `herald dev` never starts it with NODE_ENV=production.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { HeraldConfig } from '@herald/platform';
import { DemoCertificates, ensureDemoCertificates } from './demo-certificates';
import { registerDemoEndpoint, removeDemoEndpoints } from './demo-endpoint';
import { DemoReceiver, startDemoReceiver } from './demo-receiver';

export const DEMO_RECEIVER_DIR = 'demo-receiver';

export interface DemoWebhooks {
  receiver: DemoReceiver;
  certs: DemoCertificates;
  /** What the dispatcher trusts: the system roots, the configured CA file if any, the demo CA. */
  caBundleFile: string;
  /** The one origin the SSRF guard lets through for it (`https://127.0.0.1:<port>`), no other port. */
  allowedOrigin: string;
}

export interface DemoOptions {
  enabled: boolean;
  /**
   * Given: that port, or no receiver. Not given: the HTTP port + 1, so the URL (and with
   * it the endpoint) stays the same from one start to the next, or any free port when
   * that one is taken.
   */
  port: number | undefined;
}

export interface DemoStart {
  /** The config the roles are to be built with. */
  config: HeraldConfig;
  /** The running receiver, if any. */
  demo?: DemoWebhooks;
  /** False in production, where nothing of the demo is touched. */
  applies: boolean;
}

/**
 * Before the roles are built (the dispatcher reads the CA it trusts when it is made):
 * starts the receiver and returns the config that trusts and may dial it. Without a
 * receiver (turned off, or it could not start, which `say` reports) the config is as given.
 */
export async function startDemoWebhooks(
  config: HeraldConfig,
  opts: DemoOptions,
  say: (line: string) => void,
): Promise<DemoStart> {
  const applies = config.env !== 'production';
  if (!opts.enabled || !applies) return { config, applies };
  let receiver: DemoReceiver | undefined;
  try {
    const dir = path.join(config.dataDir, DEMO_RECEIVER_DIR);
    const certs = ensureDemoCertificates(dir);
    receiver = await startDemoReceiver({
      cert: certs.cert,
      key: certs.key,
      port: opts.port ?? (config.port < 65535 ? config.port + 1 : 0),
      anyPortIfTaken: opts.port === undefined,
    });
    const caBundleFile = path.join(dir, 'dispatcher-ca-bundle.pem');
    // The dispatcher trusts this file besides the system roots: the operator's CA, if any, and the demo CA.
    const configured = config.webhookCaFile ? [fs.readFileSync(config.webhookCaFile, 'utf8')] : [];
    const bundle = [...configured, fs.readFileSync(certs.caFile, 'utf8')];
    fs.writeFileSync(caBundleFile, bundle.map((pem) => pem.trim()).join('\n') + '\n');
    // Its exact origin, not its address: every other port of 127.0.0.1 stays refused.
    const allowedOrigin = receiver.origin;
    const origins = config.webhookAllowOrigins.includes(allowedOrigin)
      ? config.webhookAllowOrigins
      : [...config.webhookAllowOrigins, allowedOrigin];
    return {
      config: { ...config, webhookCaFile: caBundleFile, webhookAllowOrigins: origins },
      demo: { receiver, certs, caBundleFile, allowedOrigin },
      applies,
    };
  } catch (err) {
    await receiver?.close();
    say(`demo receiver not started: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return { config, applies };
  }
}

export interface DemoContext {
  tenant: string;
  /** The demo API key, for the printed deliveries line. */
  apiKey: string;
  /** `http://dev.localhost:<port>` */
  tenantOrigin: string;
  /** The config the roles run with (for the SSRF line). */
  config: HeraldConfig;
}

/**
 * After the roles are built and before they start: registers (or reuses) the endpoint
 * and hands its secret to the receiver, or, with no receiver running, removes the
 * endpoints earlier starts registered. Returns the lines to print, each working as printed.
 */
export async function connectDemoWebhooks(
  app: INestApplicationContext,
  { demo, applies }: DemoStart,
  ctx: DemoContext,
): Promise<string[]> {
  if (!applies) return [];
  if (!demo) {
    const removed = await removeDemoEndpoints(app, ctx.tenant);
    return removed.length > 0
      ? [`  receiver    none this time: removed demo endpoint ${removed.join(', ')} of ${ctx.tenant}`]
      : [];
  }
  const endpoint = await registerDemoEndpoint(app, ctx.tenant, demo.receiver.webhookUrl);
  demo.receiver.useSecret(endpoint.id, endpoint.secret);
  const state = endpoint.active ? 'every event' : 'disabled by hand, receives nothing';
  const deliveries = `${ctx.tenantOrigin}/api/v1/webhooks/${endpoint.id}/deliveries`;
  return [
    `  receiver    ${demo.receiver.webhookUrl}  (endpoint ${endpoint.id} of ${ctx.tenant}, ${state}; ${endpoint.outcome}, new secret)`,
    `  received    curl -s --cacert ${shellWord(demo.certs.caFile)} ${demo.receiver.origin}/`,
    `  deliveries  curl -s -H "Authorization: Bearer ${ctx.apiKey}" ${deliveries}`,
    `  ssrf        ${ssrfLine(demo.allowedOrigin, ctx.config)}`,
  ];
}

/** What the SSRF guard lets webhooks reach besides public addresses: the demo origin, and whatever the operator allowed. */
function ssrfLine(demoOrigin: string, config: HeraldConfig): string {
  const others = [...config.webhookAllowOrigins.filter((o) => o !== demoOrigin), ...config.webhookAllowCidrs];
  return others.length === 0
    ? `webhooks may reach public addresses and ${demoOrigin} only (HERALD_WEBHOOK_ALLOW_ORIGINS)`
    : `webhooks may reach public addresses, ${demoOrigin} and ${others.join(', ')} (HERALD_WEBHOOK_ALLOW_ORIGINS, HERALD_WEBHOOK_ALLOW_CIDRS)`;
}

function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
