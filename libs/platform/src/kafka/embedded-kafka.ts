/**
 * Embedded (local, Docker-free) Apache Kafka broker for development and integration tests.
 *
 * The broker is the real Apache Kafka server (KRaft, single node acting as broker + controller),
 * started as a child `java` process from jars that Maven copies out of Maven Central into
 * `infra/kafka/lib/` (see infra/kafka/pom.xml and infra/kafka/kafka.sh, which uses the same
 * data-dir layout so either can stop a broker started by the other):
 *
 *   <dataDir>/server.properties   generated on every start
 *   <dataDir>/cluster.id          generated once, keeps the cluster id stable across restarts
 *   <dataDir>/logs/               Kafka log.dirs (metadata + topic data)
 *   <dataDir>/broker.log          broker stdout/stderr (previous run kept as broker.log.1)
 *   <dataDir>/broker.pid          pid of the running broker
 *
 * Plain module: Node built-ins and kafkajs only, no NestJS, no global process handlers
 * (the caller owns signals and must call `stop()`).
 */
import './wire/kafkajs-preload'; // before kafkajs: see there
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { spawnEngine } from '../embedded/engine-watchdog';

/** Pinned Apache Kafka broker version; must match `<kafka.version>` in infra/kafka/pom.xml. */
export const KAFKA_VERSION = '4.4.0';

export interface EmbeddedKafka {
  /** Bootstrap servers, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  /** Pid of the broker JVM. */
  pid: number;
  /** SIGTERM, wait up to 30 s, then SIGKILL; removes the pidfile. Idempotent. */
  stop(): Promise<void>;
  /**
   * SIGKILL at once, for a broker whose data is thrown away next: a graceful stop flushes
   * and checkpoints every partition, which takes tens of seconds after a test run.
   */
  kill(): Promise<void>;
}

export interface EnsureKafkaJarsOptions {
  /** Directory that contains `infra/kafka`. */
  repoRoot: string;
  log?: (line: string) => void;
}

export interface StartEmbeddedKafkaOptions {
  /** Directory that contains `infra/kafka`. */
  repoRoot: string;
  dataDir: string;
  port: number;
  controllerPort: number;
  /** JVM heap flags, whitespace separated. Default `-Xms512m -Xmx512m`. */
  heap?: string;
  log?: (line: string) => void;
  /** Max time from spawn to a successful `describeCluster()`. Default 60 000 ms. */
  readyTimeoutMs?: number;
}

const DEFAULT_HEAP = '-Xms512m -Xmx512m';
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;
/** How long an orphaned broker (its parent died) gets to stop on SIGTERM before SIGKILL. */
const ORPHAN_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 20;
const MIN_JAVA_MAJOR = 17;

const noop = (): void => undefined;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function kafkaDir(repoRoot: string): string {
  return path.join(path.resolve(repoRoot), 'infra', 'kafka');
}

function stampName(): string {
  return `.kafka_2.13-${KAFKA_VERSION}.stamp`;
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a command to completion, capturing stdout+stderr. Rejects only if it cannot be spawned. */
function run(cmd: string, args: string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.stderr?.on('data', (c: Buffer) => chunks.push(c));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

function isEnoent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

function lastLines(text: string, n: number): string {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return lines.slice(-n).join('\n');
}

async function checkJava(): Promise<void> {
  let res: RunResult;
  try {
    res = await run('java', ['-version']);
  } catch (err) {
    if (isEnoent(err)) {
      throw new Error(
        `embedded Kafka: 'java' not found on PATH (Kafka ${KAFKA_VERSION} needs a JDK ${MIN_JAVA_MAJOR}+); install one or point KAFKA_BROKERS at an external broker`,
      );
    }
    throw err;
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(res.output);
  const first = Number(m?.[1] ?? NaN);
  const major = first === 1 ? Number(m?.[2] ?? NaN) : first;
  if (res.code !== 0 || Number.isNaN(major)) {
    throw new Error(`embedded Kafka: 'java -version' failed: ${lastLines(res.output, 1)}`);
  }
  if (major < MIN_JAVA_MAJOR) {
    throw new Error(
      `embedded Kafka: Kafka ${KAFKA_VERSION} needs Java ${MIN_JAVA_MAJOR}+, but 'java' on PATH is Java ${major}`,
    );
  }
}

async function checkMaven(): Promise<void> {
  try {
    const res = await run('mvn', ['-v']);
    if (res.code !== 0) throw new Error(`embedded Kafka: 'mvn -v' failed: ${lastLines(res.output, 1)}`);
  } catch (err) {
    if (isEnoent(err)) {
      throw new Error(
        `embedded Kafka: 'mvn' not found on PATH; Maven is needed once to fetch the Kafka ${KAFKA_VERSION} jars into infra/kafka/lib`,
      );
    }
    throw err;
  }
}

/**
 * Makes sure `infra/kafka/lib` holds the pinned broker jars (stamp file `lib/.kafka_2.13-<version>.stamp`),
 * copying them with Maven if not. Returns the absolute lib dir.
 *
 * `java` is always checked; `mvn` only when the jars actually have to be fetched, so a cached
 * lib dir works on machines without Maven.
 */
export async function ensureKafkaJars(opts: EnsureKafkaJarsOptions): Promise<string> {
  const log = opts.log ?? noop;
  const dir = kafkaDir(opts.repoRoot);
  const libDir = path.join(dir, 'lib');
  const pom = path.join(dir, 'pom.xml');

  await checkJava();
  if (fs.existsSync(path.join(libDir, stampName()))) return libDir;

  if (!fs.existsSync(pom))
    throw new Error(`embedded Kafka: ${pom} not found (is repoRoot '${opts.repoRoot}' right?)`);
  const pomVersion = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(
    fs.readFileSync(pom, 'utf8'),
  )?.[1];
  if (pomVersion !== KAFKA_VERSION) {
    throw new Error(
      `embedded Kafka: infra/kafka/pom.xml pins kafka.version ${pomVersion ?? '(none)'} but embedded-kafka.ts expects ${KAFKA_VERSION}`,
    );
  }
  await checkMaven();

  // Copy into a private temp dir, then swap it in, so concurrent callers never see a half-filled lib/.
  const tmpDir = path.join(dir, `lib.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  log(`kafka: fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libDir} ...`);
  const started = Date.now();
  try {
    const res = await run(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        pom,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${tmpDir}`,
      ],
      dir,
    );
    if (res.code !== 0) {
      throw new Error(
        `embedded Kafka: maven could not copy the Kafka ${KAFKA_VERSION} jars (exit ${res.code ?? res.signal}):\n${lastLines(res.output, LOG_TAIL_LINES)}`,
      );
    }
    fs.writeFileSync(path.join(tmpDir, stampName()), `${KAFKA_VERSION}\n`);
    if (!fs.existsSync(path.join(libDir, stampName()))) {
      fs.rmSync(libDir, { recursive: true, force: true }); // stale jars of another version
      try {
        fs.renameSync(tmpDir, libDir);
      } catch (err) {
        // Lost a race against a concurrent fetch: fine if the winner completed.
        if (!fs.existsSync(path.join(libDir, stampName()))) throw err;
      }
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  log(`kafka: jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return libDir;
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    '# Generated by libs/platform/src/kafka/embedded-kafka.ts (same layout as infra/kafka/kafka.sh); rewritten on every start.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(dataDir, 'logs')}`,
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // One network thread and two request handlers (defaults 3 and 8) on the few cores it
    // shares: with the serial collector below, the broker took about a tenth less CPU per
    // event relayed (bench:webhooks, "raw Kafka two hops at 500/s").
    'num.network.threads=1',
    'num.io.threads=2',
    '',
  ].join('\n');
}

/** Kafka cluster ids are 16 random bytes in unpadded base64url (22 chars); Kafka avoids a leading '-'. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function readClusterIdFromMeta(logDir: string): string | undefined {
  const meta = path.join(logDir, 'meta.properties');
  if (!fs.existsSync(meta)) return undefined;
  return /^cluster\.id=(.+)$/m.exec(fs.readFileSync(meta, 'utf8'))?.[1]?.trim();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: unknown }).code === 'EPERM';
  }
}

/** True if `pid` is a java `kafka.Kafka` process started with this data dir's server.properties. */
function isOurBroker(pid: number, propsFile: string): boolean {
  let argv: string[];
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return false;
  }
  return path.basename(argv[0] ?? '') === 'java' && argv.includes('kafka.Kafka') && argv.includes(propsFile);
}

async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

async function killStaleBroker(
  pidFile: string,
  propsFile: string,
  log: (line: string) => void,
): Promise<void> {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && isOurBroker(pid, propsFile)) {
    log(`kafka: stopping stale broker pid ${pid} left over from a previous run`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    if (!(await waitForPidExit(pid, STOP_GRACE_MS))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await waitForPidExit(pid, 5_000);
    }
  }
  fs.rmSync(pidFile, { force: true });
}

function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new Error(
          err.code === 'EADDRINUSE'
            ? `embedded Kafka: ${what} port 127.0.0.1:${port} is already in use by another process; stop it or choose another port`
            : `embedded Kafka: cannot bind ${what} port 127.0.0.1:${port}: ${err.message}`,
        ),
      );
    });
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve()));
  });
}

function readLogTail(logFile: string): string {
  try {
    return lastLines(fs.readFileSync(logFile, 'utf8'), LOG_TAIL_LINES);
  } catch {
    return '(no broker.log)';
  }
}

async function formatStorage(
  libDir: string,
  log4jConfig: string,
  propsFile: string,
  clusterId: string,
): Promise<void> {
  const res = await run('java', [
    // Short-lived tool JVM: C1 only + serial GC start faster.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Dlog4j2.configurationFile=${log4jConfig}`,
    '-cp',
    path.join(libDir, '*'),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    propsFile,
    '--ignore-formatted',
  ]);
  if (res.code !== 0) {
    throw new Error(
      `embedded Kafka: 'kafka-storage format' failed (exit ${res.code ?? res.signal}):\n${lastLines(res.output, LOG_TAIL_LINES)}`,
    );
  }
}

/**
 * On a warm start the socket server answers (describeCluster works) slightly before the controller has
 * re-elected this broker as leader of the existing partitions and the replica manager has applied it;
 * in that window ListOffsets/Produce/Fetch get NOT_LEADER_OR_FOLLOWER / LEADER_NOT_AVAILABLE. So the
 * broker only counts as ready once every partition of every existing topic has a leader and answers
 * ListOffsets. Returns undefined when ready, else the reason.
 */
async function partitionsNotReady(admin: Admin): Promise<string | undefined> {
  const topics = await admin.listTopics();
  if (topics.length === 0) return undefined;
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  for (const t of metadata) {
    const p = t.partitions.find((x) => x.leader < 0 || x.partitionErrorCode !== 0);
    if (p !== undefined) return `${t.name}-${p.partitionId} has no leader yet`;
  }
  for (const topic of topics) await admin.fetchTopicOffsets(topic);
  return undefined;
}

/**
 * Starts a single-node KRaft broker as a child process and resolves once a kafkajs admin
 * `describeCluster()` succeeds against it (reporting this data dir's cluster id) and every existing
 * partition has a leader that answers ListOffsets.
 */
export async function startEmbeddedKafka(opts: StartEmbeddedKafkaOptions): Promise<EmbeddedKafka> {
  const log = opts.log ?? noop;
  const readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const heapArgs = (opts.heap ?? DEFAULT_HEAP).split(/\s+/).filter((a) => a.length > 0);
  const dataDir = path.resolve(opts.dataDir);
  const logDir = path.join(dataDir, 'logs');
  const propsFile = path.join(dataDir, 'server.properties');
  const clusterIdFile = path.join(dataDir, 'cluster.id');
  const pidFile = path.join(dataDir, 'broker.pid');
  const logFile = path.join(dataDir, 'broker.log');
  const log4jConfig = path.join(kafkaDir(opts.repoRoot), 'log4j2.properties');
  const brokers = [`127.0.0.1:${opts.port}`];

  const libDir = await ensureKafkaJars({ repoRoot: opts.repoRoot, log });
  fs.mkdirSync(dataDir, { recursive: true });

  await killStaleBroker(pidFile, propsFile, log);
  await assertPortFree(opts.port, 'Kafka');
  await assertPortFree(opts.controllerPort, 'Kafka controller');

  fs.writeFileSync(propsFile, serverProperties(dataDir, opts.port, opts.controllerPort));

  // Stable cluster id: cluster.id file, else whatever an existing format wrote, else a new one.
  let clusterId = fs.existsSync(clusterIdFile) ? fs.readFileSync(clusterIdFile, 'utf8').trim() : '';
  const formattedId = readClusterIdFromMeta(logDir);
  if (formattedId !== undefined && formattedId !== clusterId) clusterId = formattedId;
  if (clusterId === '') clusterId = newClusterId();
  fs.writeFileSync(clusterIdFile, `${clusterId}\n`);

  const started = Date.now();
  if (formattedId === undefined) {
    log(`kafka: formatting ${logDir} (cluster id ${clusterId})`);
    await formatStorage(libDir, log4jConfig, propsFile, clusterId);
  }

  if (fs.existsSync(logFile)) fs.renameSync(logFile, `${logFile}.1`);
  const logFd = fs.openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // Own session + watchdog: see engine-watchdog.ts.
    child = spawnEngine(
      'java',
      [
        ...heapArgs,
        // C1 only. This broker shares a developer's or CI machine's few cores with every
        // role; C2 kept recompiling for minutes after start and took more CPU than serving
        // requests (0.25 against 0.14 of a core at 500 events/s). C1's code costs a little
        // more per request (0.19), but the broker's total nearly halves.
        '-XX:TieredStopAtLevel=1',
        // A 512 MiB heap on one or two cores: the serial collector has no concurrent
        // threads or G1 write barriers to pay for. Its young pauses here were as long as
        // G1's (about 20-35 ms) and a third as frequent.
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${log4jConfig}`,
        // Let Kafka's own shutdown hook log; otherwise log4j may stop first and drop the shutdown lines.
        '-Dlog4j2.shutdownHookEnabled=false',
        '-cp',
        path.join(libDir, '*'),
        'kafka.Kafka',
        propsFile,
      ],
      { cwd: dataDir, stdio: ['ignore', logFd, logFd] },
      { signal: 'SIGTERM', graceMs: ORPHAN_GRACE_MS },
    );
  } finally {
    fs.closeSync(logFd);
  }

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve();
    });
  });
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const pid = child.pid;
  if (pid === undefined) {
    const err = await spawnError;
    throw new Error(`embedded Kafka: could not spawn java: ${err.message}`);
  }
  fs.writeFileSync(pidFile, `${pid}\n`);

  let stopping: Promise<void> | undefined;
  const halt = (graceful: boolean): Promise<void> => {
    stopping ??= (async () => {
      if (exitInfo === undefined) {
        child.kill(graceful ? 'SIGTERM' : 'SIGKILL');
        // A timer left pending would keep the caller's process alive for the whole grace period.
        let grace: NodeJS.Timeout | undefined;
        const stopped = await Promise.race([
          exited.then(() => true),
          new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), STOP_GRACE_MS))),
        ]);
        clearTimeout(grace);
        if (!stopped) {
          log(`kafka: broker pid ${pid} did not stop within ${STOP_GRACE_MS / 1000} s, sending SIGKILL`);
          child.kill('SIGKILL');
          await exited;
        }
      }
      try {
        if (fs.readFileSync(pidFile, 'utf8').trim() === String(pid)) fs.rmSync(pidFile, { force: true });
      } catch {
        /* pidfile already gone */
      }
    })();
    return stopping;
  };
  const stop = (): Promise<void> => halt(true);
  const kill = (): Promise<void> => halt(false);

  // Readiness: poll describeCluster() until it answers with our cluster id and all existing partitions
  // have a serving leader (see partitionsNotReady), the child dies, or we time out.
  const probe = new Kafka({
    clientId: 'herald-embedded-kafka-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
  });
  const deadline = started + readyTimeoutMs;
  let lastError = '';
  for (;;) {
    if (exitInfo !== undefined) {
      await stop();
      throw new Error(
        `embedded Kafka: broker exited during startup (code ${exitInfo.code ?? 'null'}, signal ${exitInfo.signal ?? 'none'}); last lines of ${logFile}:\n${readLogTail(logFile)}`,
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `embedded Kafka: broker not ready within ${readyTimeoutMs} ms (last probe error: ${lastError || 'none'}); last lines of ${logFile}:\n${readLogTail(logFile)}`,
      );
    }
    const admin = probe.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.clusterId !== clusterId) {
        await stop();
        throw new Error(
          `embedded Kafka: ${brokers[0] ?? ''} answered with cluster id ${cluster.clusterId}, expected ${clusterId} (another broker?)`,
        );
      }
      const notReady = await partitionsNotReady(admin);
      if (notReady === undefined) break;
      lastError = notReady;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('embedded Kafka:')) throw err;
      lastError = err instanceof Error ? err.message : String(err);
    } finally {
      await admin.disconnect().catch(noop);
    }
    await Promise.race([sleep(100), exited]);
  }

  log(
    `kafka: Apache Kafka ${KAFKA_VERSION} ready on ${brokers.join(',')} (pid ${pid}) in ${Date.now() - started} ms`,
  );
  return { brokers, pid, stop, kill };
}
