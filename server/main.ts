// Web entry (`npm start`): services, the Express app with tus and Remix, and one in-process worker.
import './production-default.ts';
import { startWorkers } from '../workers/run-workers.ts';
import { loadConfig } from './config.ts';
import { serveWeb } from './http/http-server.ts';
import { createWebApp } from './http/web-app.ts';
import { metrics } from './metrics.ts';
import { startServices } from './services.ts';
import { onShutdown } from './shutdown.ts';

const config = loadConfig();
const services = await startServices(config, { role: 'web' });
const web = await createWebApp(services, { remix: config.env === 'development' ? 'vite' : 'build' });
if (config.runWorker) await startWorkers(services);

const running = await serveWeb(web, {
  port: config.port,
  host: config.host,
  http: config.http,
  logger: services.logger,
});
services.logger.info('Kabinet is listening', { url: `http://localhost:${running.port}`, worker: config.runWorker });

onShutdown(
  services.logger,
  async () => {
    await running.drain(config.http.shutdownGraceMs);
    await web.close();
    await services.close();
  },
  { onUnhandledRejection: () => metrics.unhandledRejections.inc() },
);
