// Lets a Node script require the TypeScript sources directly (SWC in memory, the same
// transform as the build, @herald/* aliases resolved from tsconfig paths), so tools
// such as the OpenAPI generator run without touching dist/.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..', '..');
const paths = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8')).compilerOptions.paths;

const aliases = Object.entries(paths).map(([pattern, [target]]) => ({
  exact: !pattern.endsWith('/*'),
  prefix: pattern.replace(/\/\*$/, ''),
  target: path.join(root, target.replace(/\/\*$/, '')),
}));

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  for (const a of aliases) {
    if (a.exact ? request === a.prefix : request.startsWith(`${a.prefix}/`)) {
      const mapped = a.exact ? a.target : path.join(a.target, request.slice(a.prefix.length + 1));
      return resolve.call(this, mapped, ...rest);
    }
  }
  return resolve.call(this, request, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    sourceMaps: 'inline',
    module: { type: 'commonjs', strictMode: true },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      keepClassNames: true,
    },
  });
  module._compile(code, filename);
};
