// Tenant settings (retry schedule, timeouts, limits).

import { placeholder } from './placeholder.js';

export function render(container) {
  placeholder(container, 'Settings', 'Tenant settings are not available in the console yet.');
}
