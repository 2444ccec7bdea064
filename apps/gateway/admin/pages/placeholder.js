// What a section shows until its page is built.

import { h } from '../dom.js';

export function placeholder(container, title, text) {
  container.append(h('h1', {}, title), h('section', { class: 'card' }, h('p', { class: 'muted' }, text)));
}
