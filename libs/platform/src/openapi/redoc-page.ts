/**
 * The Redoc page (dark theme) and its start script. The page loads only same-origin
 * assets: the `redoc` package's standalone bundle served by our own route, so the docs
 * work offline and behind firewalls, and the spec from /api/openapi.json.
 */
export const DOCS_PATH = '/api/docs';
export const REDOC_BUNDLE_PATH = `${DOCS_PATH}/redoc.standalone.js`;
export const REDOC_INIT_PATH = `${DOCS_PATH}/redoc-init.js`;
export const SPEC_JSON_PATH = '/api/openapi.json';
export const SPEC_YAML_PATH = '/api/openapi.yaml';

const BG = '#0d1117';
const PANEL = '#161b22';
const TEXT = '#e6edf3';
const MUTED = '#9da7b3';
const ACCENT = '#79b8ff';
const BORDER = '#30363d';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace";

/** Redoc 2 has no dark mode switch; this theme recolours every surface it draws. */
export const REDOC_OPTIONS = {
  hideDownloadButton: false,
  expandResponses: '200',
  jsonSampleExpandLevel: 3,
  sortPropsAlphabetically: false,
  theme: {
    colors: {
      primary: { main: ACCENT },
      text: { primary: TEXT, secondary: MUTED },
      border: { dark: BORDER, light: BORDER },
      gray: { 50: PANEL, 100: '#21262d' },
      success: { main: '#3fb950' },
      warning: { main: '#d29922' },
      error: { main: '#f85149' },
    },
    typography: {
      fontFamily: FONT,
      headings: { fontFamily: FONT },
      code: { fontFamily: MONO, color: '#ffa657', backgroundColor: PANEL },
      links: { color: ACCENT, visited: ACCENT, hover: '#a5d6ff' },
    },
    sidebar: { backgroundColor: '#010409', textColor: TEXT, activeTextColor: ACCENT },
    rightPanel: { backgroundColor: PANEL, textColor: TEXT },
    codeBlock: { backgroundColor: BG },
    schema: {
      nestedBackground: PANEL,
      linesColor: BORDER,
      typeNameColor: MUTED,
      typeTitleColor: MUTED,
      requireLabelColor: '#f85149',
    },
  },
};

export function redocPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>${escapeHtml(title)}</title>
<style>
  html, body { margin: 0; padding: 0; background: ${BG}; color: ${TEXT}; }
  .api-content, .menu-content { background: ${BG}; }
  .api-content h1, .api-content h2, .api-content h3, .api-content h4, .api-content h5 { color: ${TEXT}; }
  .api-content table th, .api-content table td { border-color: ${BORDER}; }
  .api-content table tr { background: ${BG}; }
  .api-content table tr:nth-child(2n) { background: ${PANEL}; }
  .api-content button { color: ${TEXT}; }
  noscript { display: block; padding: 2rem; font-family: ${FONT}; }
</style>
</head>
<body>
<noscript>This reference needs JavaScript. The raw description is at <a href="${SPEC_YAML_PATH}">${SPEC_YAML_PATH}</a>.</noscript>
<div id="redoc" data-spec-url="${SPEC_JSON_PATH}"></div>
<script src="${REDOC_BUNDLE_PATH}"></script>
<script src="${REDOC_INIT_PATH}"></script>
</body>
</html>
`;
}

/** Kept out of the page so the CSP can forbid inline scripts. */
export function redocInitScript(): string {
  return `'use strict';
(function () {
  var el = document.getElementById('redoc');
  Redoc.init(el.getAttribute('data-spec-url'), ${JSON.stringify(REDOC_OPTIONS)}, el);
})();
`;
}

/**
 * Same-origin only. Redoc injects its styles at run time and builds its search worker
 * from a blob; its bundled JSON Schema validator may compile with `new Function`.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self' 'unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
