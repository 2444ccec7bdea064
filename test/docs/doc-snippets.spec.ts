import { parseSnippets, programs, runnerOf, withTopLevelAwait } from '../support/doc-snippets';

const DOC = [
  '# Title',
  '',
  '```sh',
  'echo one',
  '```',
  '',
  '<!-- snippet: not-run (needs a printer) -->',
  '',
  '```python',
  'print(1)',
  '```',
  '',
  '- a list item:',
  '',
  '  ```js file=app.js receiver',
  '  const a = 1;',
  '  ```',
  '',
  '```js file=app.js',
  'console.log(a);',
  '```',
  '',
  '```',
  'no language',
  '```',
].join('\n');

describe('doc snippets', () => {
  const snippets = parseSnippets('docs/x.md', DOC);

  it('finds every fenced block with its line, language, attributes and not-run reason', () => {
    expect(snippets.map((s) => [s.line, s.lang, s.attrs, s.notRun])).toEqual([
      [3, 'sh', {}, undefined],
      [9, 'python', {}, 'needs a printer'],
      [15, 'js', { file: 'app.js', receiver: true }, undefined],
      [19, 'js', { file: 'app.js' }, undefined],
      [23, '', {}, undefined],
    ]);
    expect(snippets[2]!.code).toBe('const a = 1;\n');
  });

  it('joins the blocks of one file into one program, in page order', () => {
    const joined = programs(snippets).find((p) => p.attrs.file === 'app.js')!;
    expect(joined.code).toBe('const a = 1;\nconsole.log(a);\n');
    expect(joined.parts).toEqual(['docs/x.md:15', 'docs/x.md:19']);
    expect(joined.attrs.receiver).toBe(true);
  });

  it('knows which languages it runs', () => {
    expect(runnerOf('bash')).toBe('shell');
    expect(runnerOf('ts')).toBe('node');
    expect(runnerOf('text')).toBe('skipped');
    expect(runnerOf('')).toBeUndefined();
  });
});

describe('withTopLevelAwait', () => {
  it('keeps the leading imports at the top and runs the rest in an async function', () => {
    const code = "// c\nimport { a } from 'x';\nimport {\n  b,\n} from 'y';\nawait a(b);\n";
    expect(withTopLevelAwait(code)).toBe(
      "// c\nimport { a } from 'x';\nimport {\n  b,\n} from 'y';\n(async () => {\nawait a(b);\n\n})().catch((err) => {\n  console.error(err);\n  process.exit(1);\n});\n",
    );
  });
});
