/**
 * Reads the fenced code blocks of the docs so a test can run them (test/e2e/docs-snippets.e2e-spec.ts).
 *
 * The rules, stated once:
 * - Every block names its language. `text` blocks (diagrams, synopses, output samples) are
 *   skipped by rule; every other language is run or checked.
 * - The info string may carry attributes after the language: `file=NAME` joins the blocks of
 *   one page that name the same file into one program (in page order, run where the first one
 *   is); `receiver` makes the program a webhook receiver the test registers and sends real
 *   deliveries to; `scheme=S` picks the endpoint's signing scheme for a receiver, `path=P` the
 *   path of its URL (default `/webhooks`);
 *   `schema=Name` checks a `json` block against that OpenAPI component, `envelope=Name` checks a
 *   success envelope whose `data` is that component (or a list of it).
 * - A block that truly cannot run is preceded by `<!-- snippet: not-run (reason) -->`.
 * - TypeScript blocks may use top-level await (see withTopLevelAwait).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Snippet {
  /** Path relative to the repository root. */
  doc: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  attrs: Record<string, string | true>;
  code: string;
  /** The reason given by a `not-run` marker just before the block. */
  notRun?: string;
}

/** A program: one block, or several blocks of a page joined by `file=`. */
export interface SnippetProgram {
  doc: string;
  line: number;
  lang: string;
  attrs: Record<string, string | true>;
  code: string;
  /** `doc:line` of each block in it. */
  parts: string[];
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;
const NOT_RUN = /^\s*<!--\s*snippet:\s*not-run\s*\((.+)\)\s*-->\s*$/;

export function parseSnippets(doc: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j]!;
      if (l.trim().startsWith(fence!) && l.trim().replace(/[`~]/g, '') === '') break;
      body.push(l.startsWith(indent!) ? l.slice(indent!.length) : l);
    }
    const [lang = '', ...rest] = info!.trim().split(/\s+/).filter(Boolean);
    const attrs: Record<string, string | true> = {};
    for (const a of rest) {
      const eq = a.indexOf('=');
      if (eq < 0) attrs[a] = true;
      else attrs[a.slice(0, eq)] = a.slice(eq + 1);
    }
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = k >= 0 ? NOT_RUN.exec(lines[k]!) : null;
    out.push({
      doc,
      line: i + 1,
      lang: lang.toLowerCase(),
      attrs,
      code: body.join('\n') + '\n',
      ...(marker ? { notRun: marker[1]!.trim() } : {}),
    });
    i = j;
  }
  return out;
}

/** Joins `file=` groups; every other block is a program of its own. */
export function programs(snippets: Snippet[]): SnippetProgram[] {
  const out: SnippetProgram[] = [];
  const byFile = new Map<string, SnippetProgram>();
  for (const s of snippets) {
    const file = typeof s.attrs.file === 'string' ? s.attrs.file : undefined;
    const where = `${s.doc}:${s.line}`;
    if (file) {
      const key = `${s.doc}\0${file}`;
      const existing = byFile.get(key);
      if (existing) {
        if (existing.lang !== s.lang)
          throw new Error(`${where}: ${file} mixes ${existing.lang} and ${s.lang}`);
        existing.code += s.code;
        existing.attrs = { ...existing.attrs, ...s.attrs };
        existing.parts.push(where);
        continue;
      }
      const p: SnippetProgram = {
        doc: s.doc,
        line: s.line,
        lang: s.lang,
        attrs: { ...s.attrs },
        code: s.code,
        parts: [where],
      };
      byFile.set(key, p);
      out.push(p);
      continue;
    }
    out.push({ doc: s.doc, line: s.line, lang: s.lang, attrs: s.attrs, code: s.code, parts: [where] });
  }
  return out;
}

/** The integrator libraries' READMEs, whose examples are copied as much as the docs'. */
export const LIBRARY_READMES = [
  'libs/client/README.md',
  'libs/client-python/README.md',
  'libs/receiver/README.md',
];

/** Every docs/*.md of the repository, sorted, then the client READMEs. */
export function docFiles(root: string): string[] {
  const docs = fs
    .readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => path.join('docs', f));
  return [...docs, ...LIBRARY_READMES.filter((f) => fs.existsSync(path.join(root, f)))];
}

const LEADING_IMPORTS = /^(?:\s*(?:\/\/[^\n]*|import\s[\s\S]*?from\s*'[^']+';?|import\s*'[^']+';?)[ \t]*\n)*/;

/**
 * A TypeScript example may await at the top level, as an ES module can: its statements after
 * the imports run in an async function (the snippets are compiled to CommonJS, where top-level
 * await does not exist). A rejection exits non-zero.
 */
export function withTopLevelAwait(code: string): string {
  const imports = LEADING_IMPORTS.exec(code)?.[0] ?? '';
  const body = code.slice(imports.length);
  return `${imports}(async () => {\n${body}\n})().catch((err) => {\n  console.error(err);\n  process.exit(1);\n});\n`;
}

export const LANGUAGES = {
  shell: ['sh', 'bash', 'shell'],
  node: ['js', 'javascript', 'ts', 'typescript'],
  python: ['python', 'py'],
  json: ['json'],
  yaml: ['yaml', 'yml'],
  sql: ['sql'],
  http: ['http'],
  skipped: ['text'],
} as const;

export type Runner = keyof typeof LANGUAGES;

export function runnerOf(lang: string): Runner | undefined {
  for (const [runner, langs] of Object.entries(LANGUAGES)) {
    if ((langs as readonly string[]).includes(lang)) return runner as Runner;
  }
  return undefined;
}
