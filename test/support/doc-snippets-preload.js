// Preloaded (`node -r`) by the docs snippet test: lets a snippet require `@herald/receiver`
// and `@herald/client` as an integrator would, served from their sources in this repository.
'use strict';
require('../../scripts/lib/register-ts');
const Module = require('node:module');
const path = require('node:path');

const client = path.resolve(__dirname, '..', '..', 'libs', 'client', 'src');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@herald/client') return resolve.call(this, client, ...rest);
  return resolve.call(this, request, ...rest);
};
