import { connect } from 'node:net';
import { stackSetting } from './stack-env';

/**
 * Sends one command to the dev broker's control interface (see tools/stack/broker/sb-broker.c)
 * and resolves with its reply line. Rejects on an `err ...` reply.
 */
export function brokerControl(
  command: string,
  address = stackSetting('KAFKA_CONTROL'),
): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolvePromise, reject) => {
    const socket = connect(Number(port), host, () => socket.write(`${command}\n`));
    let buffer = '';
    socket.setTimeout(5000, () =>
      socket.destroy(new Error(`broker control timed out on "${command}"`)),
    );
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const line = buffer.slice(0, newline);
      socket.end();
      if (line.startsWith('err')) reject(new Error(`broker control "${command}": ${line}`));
      else resolvePromise(line);
    });
    socket.on('error', reject);
  });
}

/** All brokers stop accepting connections (existing ones are dropped). */
export const brokerDown = (brokerId = -1) => brokerControl(`down ${brokerId}`);
/** Brokers accept connections again. */
export const brokerUp = (brokerId = -1) => brokerControl(`up ${brokerId}`);
/** Adds latency to every response. */
export const brokerRtt = (milliseconds: number, brokerId = -1) =>
  brokerControl(`rtt ${brokerId} ${milliseconds}`);
/** The next `codes.length` requests of the Kafka API `apiKey` fail with these error codes. */
export const brokerRequestErrors = (apiKey: number, codes: number[]) =>
  brokerControl(`errors ${apiKey} ${codes.join(' ')}`);
