// The DNS module chain, declared once and in order (like CoreDNS's plugin.cfg): a query goes
// through these modules from first to last. Each module lives in modules/<name>/ with its README;
// engine/dns/README.md lists them in this order (test/engine/dns/chain.test.ts checks it).
// Adding a module: its folder, one line here, its construction in modules.ts.
export const moduleChain = ['querylog', 'rrl', 'cache', 'flatten', 'forward'] as const;

export type ModuleName = (typeof moduleChain)[number];
