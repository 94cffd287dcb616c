// Standalone worker entry (`npm run worker`): any number of these, on any machine that reaches Postgres and storage.
import { loadConfig } from '../server/config.ts';
import { startServices } from '../server/services.ts';
import { onShutdown } from '../server/shutdown.ts';
import { startWorkers } from './run-workers.ts';

const services = await startServices(loadConfig(), { role: 'worker' });
await startWorkers(services);
services.logger.info('worker started', { concurrency: services.config.workerConcurrency });

onShutdown(services.logger, () => services.close());
