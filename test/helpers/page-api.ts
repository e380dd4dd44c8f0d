// Calls the console's API from inside a page, over a WebSocket of its own that carries the page's
// session cookie, as the console's own client would: what a person signed in there may do.
import type { Page } from 'playwright-core';

export type PageAnswer = { result: unknown } | { error: { code: string; message: string } } | { refused: true };

export function askFromPage(page: Page, method: string, params: unknown): Promise<PageAnswer> {
  return page.evaluate(
    ({ method, params }) =>
      new Promise<PageAnswer>((resolve) => {
        const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`, ['signalbox.v1']);
        ws.onopen = () => ws.send(JSON.stringify({ t: 'call', id: 1, method, params }));
        ws.onmessage = (event) => {
          const message = JSON.parse(String(event.data)) as { t: string; result?: unknown; error?: { code: string; message: string } };
          resolve(message.t === 'error' ? { error: message.error! } : { result: message.result });
          ws.close();
        };
        ws.onerror = () => resolve({ refused: true });
      }),
    { method, params },
  );
}

/** The answer in one line: `ok`, `CODE: message`, or `refused` (the socket did not open). */
export async function callFromPage(page: Page, method: string, params: unknown): Promise<string> {
  const answer = await askFromPage(page, method, params);
  if ('refused' in answer) return 'refused';
  return 'error' in answer ? `${answer.error.code}: ${answer.error.message}` : 'ok';
}

/** The result of a call that must succeed. */
export async function resultFromPage<T>(page: Page, method: string, params: unknown): Promise<T> {
  const answer = await askFromPage(page, method, params);
  if (!('result' in answer)) throw new Error(`${method} from the page: ${JSON.stringify(answer)}`);
  return answer.result as T;
}
