import { logLevel, type LogEntry } from 'kafkajs';
import { kafkajsLogTo } from './kafka.client';

function entry(level: logLevel, message: string, extra: Record<string, unknown> = {}): LogEntry {
  return { namespace: 'Connection', level, label: 'ERROR', log: { timestamp: 't', message, ...extra } };
}

describe('kafkajs log routing', () => {
  const calls: Array<[string, string]> = [];
  const record = (level: string) => (_obj: unknown, msg: string) => void calls.push([level, msg]);
  const route = kafkajsLogTo({
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
  } as never);

  beforeEach(() => (calls.length = 0));

  it('sends answers kafkajs retries by itself (a coordinator loading or moving) to debug', () => {
    route(
      entry(logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)', {
        error: 'The group coordinator is not available',
      }),
    );
    route(
      entry(logLevel.ERROR, 'Response InitProducerId(key: 22, version: 1)', {
        error: "The coordinator is loading and hence can't process requests for this group",
      }),
    );
    expect(calls.map(([level]) => level)).toEqual(['debug', 'debug']);
  });

  it('keeps every other error an error', () => {
    route(
      entry(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', {
        error: 'Not authorized to access topics: [Topic authorization failed.]',
      }),
    );
    route(entry(logLevel.ERROR, 'Crash: KafkaJSGroupCoordinatorNotFound: Failed to find group coordinator'));
    route(entry(logLevel.WARN, 'Response Metadata(key: 3, version: 6)'));
    expect(calls.map(([level]) => level)).toEqual(['error', 'error', 'warn']);
  });
});
