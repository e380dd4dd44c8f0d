// The far end of the Railgun bench's delayed path, run inside its network namespace: an origin
// reached directly over the veth, and a listener in front of a second origin on the namespace's
// loopback, so that both paths cross the same delayed link. Prints one JSON line (where they
// listen, the listener's pin) and exits when its stdin closes (the bench is done, or died).
//
//   ip netns exec NS node --import tsx test/bench/railgun-far-end.ts ADDRESS TOKEN_FILE [CORPUS_DIR]
import { readFileSync } from 'node:fs';
import { railgunLimits } from '../../engine/api/railgun.ts';
import { Listener } from '../../engine/railgun/listener.ts';
import { generateCertificate, spkiPin } from '../../engine/railgun/tls.ts';
import { corpusPages, startCorpusOrigin } from '../engine/railgun/corpus-origin.ts';
import { quietLog } from '../helpers/host.ts';

const [address, tokenFile, corpus] = process.argv.slice(2);
if (!address || !tokenFile) throw new Error('usage: railgun-far-end.ts ADDRESS TOKEN_FILE [CORPUS_DIR]');

const pages = corpusPages(corpus);
const direct = await startCorpusOrigin(pages, address);
const behind = await startCorpusOrigin(pages);
const tls = await generateCertificate([address]);
const listener = await Listener.start({
  host: address,
  port: 0,
  origin: new URL(behind.url),
  tls,
  token: readFileSync(tokenFile, 'utf8').trim(),
  limits: railgunLimits.parse({}),
  log: quietLog,
});
process.stdout.write(`${JSON.stringify({ direct: direct.url, link: `https://${address}:${listener.port}`, pin: spkiPin(tls.cert) })}\n`);

let closing = false;
async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  await Promise.all([listener.close(), direct.close(), behind.close()]);
  process.exit(0);
}
process.stdin.once('end', () => void close());
process.stdin.resume();
process.once('SIGTERM', () => void close());
