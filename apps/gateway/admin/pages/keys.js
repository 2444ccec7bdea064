// API keys of the tenant (create with show-once, revoke).

import { placeholder } from './placeholder.js';

export function render(container) {
  placeholder(
    container,
    'API keys',
    'Key management is not available in the console yet. Use `herald keys create|list|revoke`.',
  );
}
