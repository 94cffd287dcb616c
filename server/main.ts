// Web entry (`npm start`): services, the Express app with tus and Remix, and one in-process worker.
import type { AddressInfo } from 'node:net';
import { startWorkers } from '../workers/run-workers.ts';
import { loadConfig } from './config.ts';
import { createWebApp } from './http/web-app.ts';
import { startServices } from './services.ts';
import { onShutdown } from './shutdown.ts';

const config = loadConfig();
const services = await startServices(config, { role: 'web' });
const web = await createWebApp(services, { remix: config.env === 'development' ? 'vite' : 'build' });
if (config.runWorker) await startWorkers(services);

const server = web.app.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo; // PORT=0 picks a free port
  services.logger.info('Kabinet is listening', { url: `http://localhost:${port}`, worker: config.runWorker });
});
// Slow connections upload big chunks: do not cut a request that is still sending.
server.requestTimeout = 0;
server.headersTimeout = 60_000;

onShutdown(services.logger, async () => {
  server.close();
  server.closeAllConnections();
  await web.close();
  await services.close();
});
