import { DeadLetterHeaders } from '@herald/contracts';
import type { KafkaMessage } from '@herald/platform';
import { deadLetterView, parseDeadLetter, previewBytes } from './dead-letter-record';

function message(headers: Record<string, string>, value: Buffer | null, key: string | null): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value,
    headers,
    offset: '7',
    timestamp: String(Date.parse('2026-05-28T12:00:00Z')),
    attributes: 0,
  };
}

describe('previewBytes', () => {
  it('keeps printable ASCII and escapes everything else, backslashes included', () => {
    expect(previewBytes(Buffer.from('{"a":"b\\c"}\n\x1b[31m'))).toBe('{"a":"b\\\\c"}\\x0a\\x1b[31m');
    expect(previewBytes(Buffer.from('é'))).toBe('\\xc3\\xa9');
  });

  it('shows the first bytes only and marks the cut', () => {
    expect(previewBytes(Buffer.from('x'.repeat(61)))).toBe(`${'x'.repeat(60)}…`);
    expect(previewBytes(Buffer.from('x'.repeat(60)))).toBe('x'.repeat(60));
    expect(previewBytes(Buffer.alloc(0))).toBe('');
  });
});

describe('parseDeadLetter', () => {
  it('reads the source from the dead-letter headers and keeps the others as the original headers', () => {
    const r = parseDeadLetter(
      0,
      message(
        {
          [DeadLetterHeaders.reason]: 'unknown tenant "t"',
          [DeadLetterHeaders.sourceTopic]: 'herald.internal.forum.v1',
          [DeadLetterHeaders.sourcePartition]: '2',
          [DeadLetterHeaders.sourceOffset]: '41',
          [DeadLetterHeaders.consumerGroup]: 'herald.translator',
          'herald-tenant': 't',
        },
        Buffer.from('{}'),
        't:1',
      ),
    );
    expect(r).toMatchObject({
      partition: 0,
      offset: '7',
      time: '2026-05-28T12:00:00.000Z',
      reason: 'unknown tenant "t"',
      source: { topic: 'herald.internal.forum.v1', partition: 2, offset: '41' },
      consumerGroup: 'herald.translator',
      key: 't:1',
      headers: { 'herald-tenant': 't' },
    });
    expect(deadLetterView(r, null)).toMatchObject({
      source_topic: 'herald.internal.forum.v1',
      source_partition: 2,
      source_offset: '41',
      value_bytes: 2,
      value_preview: '{}',
      redriven_at: null,
    });
  });

  it('has no source when the headers do not say where the record came from', () => {
    const r = parseDeadLetter(0, message({ [DeadLetterHeaders.sourceTopic]: 'x' }, null, null));
    expect(r.source).toBeNull();
    expect(r.value).toEqual(Buffer.alloc(0));
    expect(r.key).toBeNull();
  });
});
