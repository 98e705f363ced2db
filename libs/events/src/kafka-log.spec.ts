import { logLevel } from 'kafkajs';
import { kafkaLogSeverity } from './kafka';

describe('kafkaLogSeverity', () => {
  it('keeps real errors as errors', () => {
    expect(
      kafkaLogSeverity(logLevel.ERROR, {
        message: '[Connection] Response Produce(key: 0, version: 7)',
        error: 'This server does not host this topic-partition',
      }),
    ).toBe('error');
    expect(
      kafkaLogSeverity(logLevel.ERROR, { message: 'Crash: KafkaJSNumberOfRetriesExceeded' }),
    ).toBe('error');
  });

  it('makes the rebalance answers of a consumer group warnings', () => {
    expect(
      kafkaLogSeverity(logLevel.ERROR, {
        message: '[Connection] Response Heartbeat(key: 12, version: 3)',
        error: 'The group is rebalancing, so a rejoin is needed',
      }),
    ).toBe('warn');
    expect(
      kafkaLogSeverity(logLevel.ERROR, {
        message: 'The coordinator is not aware of this member, re-joining the group',
      }),
    ).toBe('warn');
  });

  it('maps the other levels one to one', () => {
    expect(kafkaLogSeverity(logLevel.WARN, { message: 'x' })).toBe('warn');
    expect(kafkaLogSeverity(logLevel.INFO, { message: 'x' })).toBe('info');
    expect(kafkaLogSeverity(logLevel.DEBUG, { message: 'x' })).toBe('debug');
  });
});
