import { command } from '../../message.js';

export class GetWebhookSecretV1 {}

/** The workspace's signing secret of export notifications (`whsec_…`), created on first use. */
export const getWebhookSecretV1 = command<GetWebhookSecretV1, { secret: string }>('exports.webhook-secret.get.v1', GetWebhookSecretV1, {}, '{ secret }');
