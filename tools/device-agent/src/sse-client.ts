/**
 * A Server-Sent Events client on fetch streams (Node has no EventSource), reconnecting like
 * the app's SSEManager after a delay. Comments (`:keepalive`) are skipped; an event without a
 * name is reported with `event` undefined (the app treats it as MessageEnqueued).
 */
export interface EventStreamOptions {
  url: string;
  headers: Record<string, string>;
  reconnectDelayMs: number;
  onOpen: () => void;
  onEvent: (event: string | undefined, data: string) => void;
  /** The stream ended: HTTP status when it never opened, 0 when an open stream dropped. */
  onClose: (status: number) => void;
}

export interface EventStreamHandle {
  readonly open: boolean;
  close(): void;
}

export function openEventStream(options: EventStreamOptions): EventStreamHandle {
  const controller = new AbortController();
  let open = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    let status = 0;
    try {
      const response = await fetch(options.url, {
        headers: { ...options.headers, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      status = response.status;
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        options.onClose(status);
        if (status === 401 || status === 403) closed = true;
        return;
      }
      status = 0;
      open = true;
      options.onOpen();
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
          dispatch(block);
        }
      }
      open = false;
      options.onClose(0);
    } catch {
      if (open) options.onClose(0);
      else if (!closed) options.onClose(status);
      open = false;
    } finally {
      open = false;
      if (!closed) {
        retry = setTimeout(() => void connect(), options.reconnectDelayMs);
        retry.unref?.();
      }
    }
  };

  const dispatch = (block: string): void => {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (event === undefined && data.length === 0) return; // a comment block
    options.onEvent(event, data.join('\n'));
  };

  void connect();
  return {
    get open() {
      return open;
    },
    close() {
      closed = true;
      clearTimeout(retry);
      controller.abort();
    },
  };
}
