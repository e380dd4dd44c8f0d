// The bundler engine as the host sees it: loads the trust data named in its config section once,
// then answers bundler.bundle and bundler.trust. A call with nothing readable is refused with a
// BundleError, whose code (E_BUNDLER_1002, ...: cfssl's) crosses the API as is (engine/api
// error-codes.ts toApiError); nothing an upload holds can crash the process.
import { bundlerConfig } from '../api/bundler.ts';
import type { EngineDefinition, RunningEngine } from '../api/engine.ts';
import { bundleOffThread } from './bundle.ts';
import { TrustStore, trustDirFor } from './trust/store.ts';

export const bundlerEngine: EngineDefinition = {
  name: 'bundler',
  async start(ctx): Promise<RunningEngine> {
    const config = bundlerConfig.parse(ctx.config ?? {});
    const store = TrustStore.load(trustDirFor(config.trust), config.weights ? { weights: config.weights } : {});
    const described = store.describe();
    ctx.log.info('trust data loaded', {
      trust: config.trust,
      dataDate: store.dataDate,
      roots: described.anchors,
      intermediates: described.intermediates,
      platforms: described.platforms.length,
      loadMs: Math.round(store.loadMs),
    });
    return {
      procedures: {
        'bundler.bundle': async (request) => {
          const result = await bundleOffThread(request, store);
          ctx.log.info('bundled', {
            files: request.files.length,
            certificates: result.uploaded.length,
            chains: result.chains.length,
            problems: result.problems.length,
            flavor: result.flavor,
            ms: Math.round(result.elapsedMs),
          });
          return result;
        },
        'bundler.trust': () => ({
          name: store.name,
          dataDate: store.dataDate,
          platforms: store.platforms.map((p) => ({ name: p.name, weight: p.weight, roots: p.roots?.size ?? store.anchors.size })),
          intermediates: store.intermediates.size,
        }),
      },
      streams: {},
      stop: async () => {},
    };
  },
};
