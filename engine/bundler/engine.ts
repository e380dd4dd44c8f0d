// The bundler engine as the host sees it: loads the trust data named in its config section once,
// then answers bundler.bundle and bundler.trust. Bad uploads come back as ApiErrors with cfssl's
// code in theirs (E_BUNDLER_1002, ...); nothing an upload holds can crash the process.
import { bundlerConfig } from '../api/bundler.ts';
import type { EngineDefinition, RunningEngine } from '../api/engine.ts';
import { ApiError } from '../api/errors.ts';
import { bundleOffThread, BundleError } from './bundle.ts';
import { TrustStore, trustDirFor } from './trust/store.ts';

export const bundlerEngine: EngineDefinition = {
  name: 'bundler',
  async start(ctx): Promise<RunningEngine> {
    const config = bundlerConfig.parse(ctx.config ?? {});
    const store = TrustStore.load(trustDirFor(config.trust), config.weights ? { weights: config.weights } : {});
    const described = store.describe();
    ctx.log.info('trust data loaded', {
      trust: config.trust, dataDate: store.dataDate, roots: described.anchors, intermediates: described.intermediates,
      platforms: described.platforms.length, loadMs: Math.round(store.loadMs),
    });
    return {
      procedures: {
        'bundler.bundle': async (request) => {
          try {
            const result = await bundleOffThread(request, store);
            ctx.log.info('bundled', {
              files: request.files.length, certificates: result.uploaded.length, chains: result.chains.length,
              problems: result.problems.length, flavor: result.flavor, ms: Math.round(result.elapsedMs),
            });
            return result;
          } catch (err) {
            if (err instanceof BundleError) throw new ApiError(err.code, err.message);
            throw err;
          }
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
