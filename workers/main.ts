// Standalone worker entry (`npm run worker`): any number of these, on any machine that reaches Postgres and storage.
import '../server/production-default.ts';
import { loadConfig } from '../server/config.ts';
import { metrics, serveMetrics } from '../server/metrics.ts';
import { startServices } from '../server/services.ts';
import { onShutdown } from '../server/shutdown.ts';
import { startWorkers } from './run-workers.ts';

const config = loadConfig();
const services = await startServices(config, { role: 'worker' });
await startWorkers(services);
const stopMetrics = config.metricsPort
  ? await serveMetrics(config.metricsPort, config.host, config.metricsToken)
  : null;
services.logger.info('worker started', { concurrency: config.workerConcurrency, metricsPort: config.metricsPort });

onShutdown(
  services.logger,
  async () => {
    await stopMetrics?.();
    await services.close();
  },
  { onUnhandledRejection: () => metrics.unhandledRejections.inc() },
);
