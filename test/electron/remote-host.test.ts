// The desktop app's remote-host decisions, in plain Node (electron/remote-host.ts): addresses and
// fingerprints as operators write them, remote-hosts.json, --remote on the command line, navigation
// kept on the console's origin, and the certificate pin checked against the certificate the built
// `signalbox serve --tls-self-signed` really presents, with the fingerprint it printed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateCertificate } from '../../engine/railgun/tls.ts';
import { certificateVerdict, isRemoteConsoleUrl, parseRemoteHosts, remoteFromArgs, remoteHost, remotePartition } from '../../electron/remote-host.ts';
import { tempDir } from '../helpers/host.ts';
import { presentedCertificate } from '../helpers/presented-certificate.ts';
import { startServeProcess, stopProcess } from '../helpers/serve-process.ts';

const fingerprint = 'ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89';

describe('remote hosts of the desktop app (plain Node)', () => {
  it('takes an https origin and a SHA-256 fingerprint as serve prints them, in any case, with or without colons', () => {
    const host = remoteHost('edge', 'https://console.example.net:8787/', fingerprint.replace(/:/g, ''));
    assert.deepEqual(host, { name: 'edge', origin: 'https://console.example.net:8787', fingerprint: fingerprint.toUpperCase() });
    assert.equal(remoteHost('local', 'http://127.0.0.1:8787').fingerprint, null, 'http only on loopback, as serve allows');
  });

  it('refuses clear http beyond loopback, credentials, paths and a malformed fingerprint, saying what to write', () => {
    const refused = (url: string, pin?: string) =>
      assert.throws(
        () => remoteHost('edge', url, pin),
        (err: Error & { code?: string }) => /E_REMOTE_/.test(err.message) && /—/.test(err.message),
      );
    refused('http://console.example.net:8787/');
    refused('https://alice:pw@console.example.net/');
    refused('https://console.example.net/#setup=abc');
    refused('https://console.example.net/dns');
    refused('not a url');
    refused('https://console.example.net/', 'AB:CD');
    refused('http://127.0.0.1:8787/', fingerprint);
    assert.throws(() => remoteHost('edge', 'http://10.0.0.5/'), /not https .*--tls-self-signed and use https:\/\/ \[E_REMOTE_URL\]/);
  });

  it('reads remote-hosts.json and picks a host by name or address from the command line', () => {
    const hosts = parseRemoteHosts(JSON.stringify({ hosts: [{ name: 'edge', url: 'https://console.example.net:8787/', fingerprint }] }), 'remote-hosts.json');
    assert.equal(remoteFromArgs(['--no-sandbox', 'dist/electron/main.js'], hosts), null);
    assert.equal(remoteFromArgs(['--remote', 'edge'], hosts)?.origin, 'https://console.example.net:8787');
    assert.equal(remoteFromArgs(['--remote=https://other.example.net/', '--fingerprint', fingerprint], hosts)?.fingerprint, fingerprint.toUpperCase());
    assert.throws(() => remoteFromArgs(['--remote', 'nope'], hosts), /no such host in remote-hosts\.json \(known: edge\).*\[E_REMOTE_UNKNOWN\]/);
    assert.throws(
      () => parseRemoteHosts('{"hosts": [{"name": "x"}]}', '/d/remote-hosts.json'),
      /\/d\/remote-hosts\.json: hosts\.0\.url: .*\[E_REMOTE_HOSTS_FILE\]/,
    );
    assert.throws(() => parseRemoteHosts('{', 'f.json'), /f\.json: not JSON/);
  });

  it('keeps navigation on the console origin and gives each host its own persistent session', () => {
    const host = remoteHost('edge', 'https://console.example.net:8787/');
    assert.equal(isRemoteConsoleUrl('https://console.example.net:8787/#/dns', host), true);
    for (const url of [
      'https://console.example.net/',
      'http://console.example.net:8787/',
      'https://evil.example/',
      'app://signalbox/index.html',
      'javascript:alert(1)',
    ]) {
      assert.equal(isRemoteConsoleUrl(url, host), false, url);
    }
    assert.match(remotePartition(host), /^persist:remote-[0-9a-f]{16}$/);
    assert.notEqual(remotePartition(host), remotePartition(remoteHost('other', 'https://console.example.net:8788/')));
  });

  it('accepts exactly the certificate serve --tls-self-signed presents by the fingerprint it printed, refuses another, leaves other names to Chromium', async () => {
    const served = await startServeProcess(['--data-dir', tempDir('electron-remote'), '--tls-self-signed'], { operators: false });
    try {
      const printed = /SHA-256 fingerprint (\S+)/.exec(served.stdout())![1]!;
      const host = remoteHost('edge', served.url, printed);
      const certificate = { data: await presentedCertificate(served.port) };
      assert.equal(certificateVerdict({ hostname: '127.0.0.1', certificate }, host), 0);
      const other = await generateCertificate(['127.0.0.1']);
      assert.equal(
        certificateVerdict({ hostname: '127.0.0.1', certificate: { data: other.cert } }, host),
        -2,
        'another certificate for the same name: refused',
      );
      assert.equal(certificateVerdict({ hostname: '127.0.0.1', certificate: { data: 'garbage' } }, host), -2);
      assert.equal(certificateVerdict({ hostname: 'cdn.example.net', certificate }, host), -3);
      assert.equal(certificateVerdict({ hostname: '127.0.0.1', certificate }, remoteHost('edge', served.url)), -3, 'no pin: the system trust decides');
    } finally {
      await stopProcess(served.child);
    }
  });
});
