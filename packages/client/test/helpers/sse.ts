// A small Server-Sent Events reader over node:http for the dashboard tests: parses `event:`,
// `data:` and `retry:` lines into frames, blank-line separated, as EventSource does.
import { get, type IncomingMessage } from 'node:http';

export interface SseFrame {
  event: string;
  data: string;
}

export interface SseStream {
  res: IncomingMessage;
  /** Complete frames parsed so far. */
  frames: SseFrame[];
  retry: number | undefined;
  /** Resolves when the response closes. */
  ended: Promise<void>;
  close(): void;
}

export function openStream(url: string, options: { agent?: false } = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = get(url, options, (res) => {
      let buf = '';
      const out: SseStream = {
        res,
        frames: [],
        retry: undefined,
        ended: new Promise<void>((r) => res.once('close', () => r())),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
            else if (field === 'retry') out.retry = Number(value);
          }
          if (data.length > 0) out.frames.push({ event, data: data.join('\n') });
        }
      });
      resolve(out);
    });
    req.on('error', reject);
  });
}
