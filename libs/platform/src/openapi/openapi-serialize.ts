/** The document as committed and served: JSON (two-space indent) and YAML, both newline-terminated. */
import { dump, visit } from 'js-yaml';
import type { JsonObject } from './json';

export const YAML_HEADER =
  '# The public API of Herald, generated from the code by `npm run openapi`. Do not edit:\n' +
  '# a test regenerates it and fails when this file differs.\n';

const STATUS = /^([1-5]\d\d|[1-5]XX|default)$/;
const rank = (s: string): string => (s === 'default' ? '999' : s.replace(/X/g, '9'));

export function toJsonText(doc: JsonObject): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function toYamlText(doc: JsonObject): string {
  return (
    YAML_HEADER +
    dump(doc, {
      lineWidth: -1,
      noRefs: true,
      // JavaScript lists integer-like keys first, so `2XX` would follow `410`; YAML can say it in order.
      transform: (documents) =>
        visit(documents, (node) => {
          if (node.kind !== 'mapping') return;
          const keys = node.items.map((i) => (i.key.kind === 'scalar' ? i.key.value : ''));
          if (keys.length < 2 || !keys.every((k) => STATUS.test(k))) return;
          node.items.sort((a, b) => {
            const x = rank(a.key.kind === 'scalar' ? a.key.value : '');
            const y = rank(b.key.kind === 'scalar' ? b.key.value : '');
            return x < y ? -1 : x > y ? 1 : 0;
          });
        }),
    })
  );
}
