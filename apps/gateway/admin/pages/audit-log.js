// The tenant's audit log.

import { placeholder } from './placeholder.js';

export function render(container) {
  placeholder(container, 'Audit log', 'The audit log is not available in the console yet.');
}
