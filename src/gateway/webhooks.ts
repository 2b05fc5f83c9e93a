import express, { type Router } from 'express';
import type { SystemName } from '../errors.js';
import type { WebhookReceiver } from '../sync/index.js';
import { SIGNATURE_HEADER } from '../webhook-signature.js';

const SYSTEMS: Readonly<Record<string, SystemName>> = { customerp: 'CUSTOMERP', crmoffice: 'CRMOFFICE' };

/** Notifications are a few hundred bytes; anything much larger is not one. */
const MAX_NOTIFICATION_BYTES = '16kb';

/**
 * `POST /webhooks/customerp` and `POST /webhooks/crmoffice`: the raw body goes to the receiver
 * untouched (the signature covers its exact bytes), whatever content type it claims. Served by the
 * gateway, and by `npm run sync` on WEBHOOK_PORT when the worker runs in a process of its own.
 */
export function webhookRouter(receiver: WebhookReceiver): Router {
  const router = express.Router();
  router.post(
    '/webhooks/:system',
    express.text({ type: () => true, limit: MAX_NOTIFICATION_BYTES }),
    (req, res, next) => {
      const system = SYSTEMS[String(req.params['system'])];
      if (system === undefined || !receiver.serves(system)) {
        res.status(404).json({ error: `no webhook endpoint ${req.path}` });
        return;
      }
      const body = typeof req.body === 'string' ? req.body : '';
      receiver
        .receive(system, req.get(SIGNATURE_HEADER), body)
        .then((answer) => res.status(answer.status).json(answer.body))
        .catch(next);
    },
  );
  return router;
}
