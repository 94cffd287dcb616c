// `GET /metrics` of the web process, for whoever holds METRICS_TOKEN (metrics.ts has what is measured).
import type { Request, Response } from 'express';
import { metricsAnswer } from '../metrics.ts';

export function metricsRoute(token: string | undefined): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const { status, headers, body } = await metricsAnswer(req.get('authorization'), token);
    res.status(status).set(headers).send(body);
  };
}
