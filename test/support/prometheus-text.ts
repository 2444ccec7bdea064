/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests of
 * GET /metrics: it refuses anything a scraper could misread rather than guessing.
 *
 * - every line is `# HELP name text`, `# TYPE name type`, a sample
 *   `name{label="value",...} value [timestamp]`, or empty;
 * - metric and label names are valid, label values use only the \\, \" and \n escapes,
 *   no label name repeats in a sample and no series repeats;
 * - a family's TYPE (at most one, as is its HELP) comes before its samples, and its lines
 *   form one group;
 * - counters are never negative; a histogram's buckets (per label set) rise in `le`, their
 *   counts are cumulative, `le="+Inf"` is there and equals `_count`, and `_sum` is there.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  samples: ParsedSample[];
}

export type Exposition = Map<string, MetricFamily>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

export class ExpositionError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
  }
}

export function parseExposition(text: string): Exposition {
  if (text.length > 0 && !text.endsWith('\n'))
    throw new ExpositionError(0, 'text does not end with a newline');
  const families: Exposition = new Map();
  const finished = new Set<string>();
  const series = new Set<string>();
  const typed = new Set<string>();
  let current: MetricFamily | undefined;
  const lines = text.split('\n');
  lines.pop();

  const open = (name: string, n: number): MetricFamily => {
    if (current?.name === name) return current;
    if (finished.has(name) || families.has(name))
      throw new ExpositionError(n, `${name} is not one group of lines`);
    if (current) finished.add(current.name);
    current = { name, type: 'untyped', samples: [] };
    families.set(name, current);
    return current;
  };

  lines.forEach((line, i) => {
    const n = i + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([^ ]+) ?(.*)$/.exec(line);
      if (!m) throw new ExpositionError(n, `not a HELP or TYPE line: ${JSON.stringify(line)}`);
      const [, keyword, name = '', rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new ExpositionError(n, `bad metric name ${JSON.stringify(name)}`);
      const family = open(name, n);
      if (family.samples.length > 0) throw new ExpositionError(n, `${keyword} of ${name} after its samples`);
      if (keyword === 'HELP') {
        if (family.help !== undefined) throw new ExpositionError(n, `second HELP for ${name}`);
        family.help = unescape(rest, false, n);
      } else {
        if (typed.has(name)) throw new ExpositionError(n, `second TYPE for ${name}`);
        if (!TYPES.includes(rest as MetricType))
          throw new ExpositionError(n, `unknown type ${JSON.stringify(rest)}`);
        family.type = rest as MetricType;
        typed.add(name);
      }
      return;
    }
    const sample = parseSample(line, n);
    const family = familyOf(sample.name, current, families, n);
    if (!typed.has(family.name)) throw new ExpositionError(n, `sample ${sample.name} before its TYPE`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (series.has(key)) throw new ExpositionError(n, `series repeated: ${line}`);
    series.add(key);
    if (family.type === 'counter' && !(sample.value >= 0))
      throw new ExpositionError(n, `counter ${sample.name} is ${sample.value}`);
    family.samples.push(sample);
  });

  for (const family of families.values()) {
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

/** The one sample of `name` whose labels include `labels`; throws when none or several match. */
export function sampleValue(exp: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(exp, name, labels);
  if (found.length !== 1)
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}, expected 1`);
  return found[0]!.value;
}

/** Every sample of `name` (a sample name: `x_bucket`, `x_count`…) whose labels include `labels`. */
export function samplesOf(
  exp: Exposition,
  name: string,
  labels: Record<string, string> = {},
): ParsedSample[] {
  const out: ParsedSample[] = [];
  for (const family of exp.values()) {
    for (const s of family.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) out.push(s);
    }
  }
  return out;
}

function familyOf(
  sampleName: string,
  current: MetricFamily | undefined,
  families: Exposition,
  n: number,
): MetricFamily {
  if (!current) throw new ExpositionError(n, `sample ${sampleName} before any TYPE`);
  let base = sampleName;
  if (current.type === 'histogram' || current.type === 'summary') {
    const suffix = /_(bucket|sum|count)$/.exec(sampleName);
    if (suffix && (suffix[1] !== 'bucket' || current.type === 'histogram'))
      base = sampleName.slice(0, -suffix[0].length);
  }
  if (base !== current.name) {
    throw new ExpositionError(
      n,
      families.has(base)
        ? `${sampleName} is not one group of lines`
        : `sample ${sampleName} has no TYPE before it`,
    );
  }
  if (current.type === 'histogram' && base === sampleName)
    throw new ExpositionError(n, `histogram ${base} has a bare sample`);
  return current;
}

function parseSample(line: string, n: number): ParsedSample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!m) throw new ExpositionError(n, `bad sample line ${JSON.stringify(line)}`);
  const name = m[1]!;
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const lm = /^([^=]*)="/.exec(line.slice(pos));
      if (!lm) throw new ExpositionError(n, `bad label at column ${pos + 1}: ${JSON.stringify(line)}`);
      const label = lm[1]!;
      if (!LABEL_NAME.test(label) || label.startsWith('__'))
        throw new ExpositionError(n, `bad label name ${JSON.stringify(label)}`);
      if (label in labels) throw new ExpositionError(n, `label ${label} repeated`);
      pos += lm[0].length;
      let raw = '';
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new ExpositionError(n, `unterminated value of label ${label}`);
        if (c === '"') break;
        if (c === '\\') {
          raw += c + (line[pos + 1] ?? '');
          pos += 2;
        } else {
          raw += c;
          pos++;
        }
      }
      pos++;
      labels[label] = unescape(raw, true, n);
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') throw new ExpositionError(n, `expected , or } after label ${label}`);
    }
  }
  const rest = line.slice(pos);
  const vm = /^ ([^ ]+)(?: (-?\d+))?$/.exec(rest);
  if (!vm) throw new ExpositionError(n, `bad value part ${JSON.stringify(rest)}`);
  const value = parseValue(vm[1]!, n);
  return vm[2] === undefined ? { name, labels, value } : { name, labels, value, timestamp: Number(vm[2]) };
}

/** A float as Go's ParseFloat reads it (Prometheus's own parser): NaN and ±Inf in any case. */
function parseValue(raw: string, n: number): number {
  const special = raw.toLowerCase();
  if (special === 'nan') return NaN;
  if (special === '+inf' || special === 'inf' || special === '+infinity' || special === 'infinity')
    return Infinity;
  if (special === '-inf' || special === '-infinity') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw))
    throw new ExpositionError(n, `bad value ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Label values may escape \, " and newline; HELP text \ and newline. Nothing else. */
function unescape(raw: string, quoted: boolean, n: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\n') throw new ExpositionError(n, 'raw newline');
    if (c !== '\\') {
      if (quoted && c === '"') throw new ExpositionError(n, 'unescaped " in a label value');
      out += c;
      continue;
    }
    const next = raw[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && quoted) out += '"';
    else throw new ExpositionError(n, `bad escape \\${next ?? ''}`);
  }
  return out;
}

function checkHistogram(family: MetricFamily): void {
  const groups = new Map<
    string,
    { buckets: Array<{ le: number; count: number }>; sum?: number; count?: number }
  >();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { buckets: [] }));
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${s.name} has a bucket without le`);
      g.buckets.push({ le: parseValue(le, 0), count: s.value });
    } else if (le !== undefined) {
      throw new Error(`${s.name} carries le`);
    } else if (s.name.endsWith('_sum')) {
      g.sum = s.value;
    } else {
      g.count = s.value;
    }
  }
  for (const [key, g] of groups) {
    const where = `${family.name}${key}`;
    if (g.sum === undefined || g.count === undefined) throw new Error(`${where}: _sum or _count missing`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i]!.le > g.buckets[i - 1]!.le))
        throw new Error(`${where}: buckets not in rising le order`);
      if (g.buckets[i]!.count < g.buckets[i - 1]!.count) throw new Error(`${where}: buckets not cumulative`);
    }
    const inf = g.buckets[g.buckets.length - 1];
    if (!inf || inf.le !== Infinity) throw new Error(`${where}: no le="+Inf" bucket`);
    if (inf.count !== g.count) throw new Error(`${where}: +Inf bucket ${inf.count} != _count ${g.count}`);
  }
}
