import type { IncomingMessage } from 'node:http';
import { requestIdFor } from './request-id';

const req = (id?: string | string[]) =>
  ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;

describe('requestIdFor', () => {
  it('echoes a sane client id', () => {
    expect(requestIdFor(req('abc-123_X.y:z@1'))).toBe('abc-123_X.y:z@1');
  });

  it.each([['has space'], ['<script>'], ['x'.repeat(129)], ['line\nbreak'], [['a', 'b']]])(
    'replaces %j',
    (id) => {
      const out = requestIdFor(req(id));
      expect(out).toMatch(/^req_[0-9a-f]{32}$/);
    },
  );

  it('mints unique ids when none is given', () => {
    expect(requestIdFor(req())).not.toBe(requestIdFor(req()));
  });
});
