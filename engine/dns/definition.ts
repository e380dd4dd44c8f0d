// The DNS engine as the host knows it (engine/host/registry.ts): worker processes on shared sockets
// with their own GC flags, every dns.* call's fan-out over the workers, its Prometheus series and
// `signalbox dns`.
import { availableParallelism } from 'node:os';
import type { EngineParts } from '../api/definition.ts';
import { mergeEntries, mergeHistory, mergePcaps, mergeSeconds, mergeStats, mergeTop } from './merge.ts';
import { dnsMetrics } from './metrics.ts';
import { dnsNodeFlags } from './node-flags.ts';

const sum = (answers: object[], field: string) => answers.reduce<number>((total, answer) => total + ((answer as Record<string, number>)[field] ?? 0), 0);

export const dnsParts: EngineParts<'dns'> = {
  name: 'dns',
  load: async () => (await import('./engine.ts')).dnsEngine,
  nodeFlags: (processes) => dnsNodeFlags(availableParallelism() / processes),
  sharesSockets: true,
  fanOut: {
    procedures: {
      'dns.stats': { to: 'all', merge: mergeStats },
      'dns.recentQueries': {
        to: 'all',
        merge: (answers, request) => ({
          entries: mergeEntries(
            answers.map((answer) => answer.entries),
            request.limit ?? 500,
          ),
        }),
      },
      'dns.top': { to: 'all', merge: (answers, request) => mergeTop(answers, request.limit ?? 10) },
      'dns.history': { to: 'all', merge: (answers) => ({ seconds: mergeHistory(answers.map((answer) => answer.seconds)) }) },
      'dns.cacheFlush': { to: 'all', merge: (answers) => ({ removed: sum(answers, 'removed') }) },
      // Every worker applies the change; their answers are alike.
      'dns.setUpstream': { to: 'all', merge: (answers) => answers[0]! },
      'dns.configSet': { to: 'all', merge: (answers) => answers[0]! },
      'dns.configGet': { to: 'one' },
      // Query-log numbers say their worker: seq % workers (engine/dns/modules/querylog).
      'dns.packet': { to: 'bySeq', worker: (request, workers) => request.seq % workers },
      'dns.pcap': {
        to: 'all',
        merge: (files) => ({
          fileName: files[0]!.fileName,
          base64: mergePcaps(files.map((file) => Buffer.from(file.base64, 'base64'))).toString('base64'),
          packets: sum(files, 'packets'),
        }),
      },
    },
    streams: {
      'dns.seconds': { to: 'all', keyOf: (second) => second.at, merge: mergeSeconds },
      'dns.queryLog': { to: 'all' },
    },
  },
  metrics: dnsMetrics,
  command: {
    name: 'dns',
    usage: `  dns     [--config FILE] [--listen ADDR:PORT ...] [--upstream ADDR:PORT ...]
          run the DNS proxy alone (default upstreams: the nameservers of /etc/resolv.conf);
          SIGHUP re-reads --config and upgrades the engine's processes in place, no query dropped`,
    load: async () => (await import('./command.ts')).dnsCommand,
  },
};
