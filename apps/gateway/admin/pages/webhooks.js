// Webhook endpoints and their delivery logs.

import { placeholder } from './placeholder.js';

export function render(container) {
  placeholder(
    container,
    'Webhooks',
    'Endpoint management is not available in the console yet. Use the /api/v1/webhooks API.',
  );
}
