/**
 * The receiving side of every webhook topic (DESIGN.md "Webhooks"):
 *   verify with the library (405 non-POST, 401 bad HMAC, 400 missing headers)
 *   → read the payload with the topic's parser (unreadable: recorded as failed, 422, nothing changes)
 *   → store the delivery in the inbox (WebhookDelivery, unique per shop + X-Shopify-Webhook-Id)
 *   → 200. The inbox worker applies it right after (app/jobs/webhook-inbox.server.ts).
 * A delivery already processed is only counted. Shopify's ~5 s limit never waits on our work.
 */
import { env } from "~/env.server";
import { withContext } from "~/logger.server";
import { kickInbox } from "~/jobs/webhook-inbox.server";
import { authenticate } from "~/shopify.server";
import { describeFailure, recordDelivery, recordRejected, whileReceiving } from "~/webhooks/inbox.server";
import type { WebhookHandler } from "~/webhooks/handlers.server";

const header = (request: Request, name: string) => request.headers.get(name) ?? undefined;

function rejectionOf(request: Request) {
  const shopDomain = header(request, "x-shopify-shop-domain");
  const webhookId = header(request, "x-shopify-webhook-id");
  if (!shopDomain || !webhookId) return null;
  return { shopDomain, webhookId, topic: header(request, "x-shopify-topic") ?? "unknown" };
}


export function receiveWebhook<Data>(request: Request, handler: WebhookHandler<Data>): Promise<Response> {
  return whileReceiving(() => receive(request, handler));
}

async function receive<Data>(request: Request, handler: WebhookHandler<Data>): Promise<Response> {
  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  if (declaredLength > env().WEBHOOK_MAX_BYTES) {
    return new Response("Payload too large", { status: 413 });
  }
  const copy = request.method === "POST" ? request.clone() : null;

  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response) return error;
    if (error instanceof SyntaxError) {
      // The HMAC matched but the body is not JSON: keep a trace, change nothing.
      const rejected = rejectionOf(request);
      if (rejected) await recordRejected(rejected, "malformed JSON body");
      return new Response("Malformed JSON", { status: 400 });
    }
    throw error;
  }

  const { shop: shopDomain, topic, webhookId } = context;
  const text = copy ? await copy.text() : "";
  const delivery = { shopDomain, webhookId, topic, eventId: header(request, "x-shopify-event-id") };
  if (text.length > env().WEBHOOK_MAX_BYTES) {
    await recordRejected(delivery, "payload too large");
    return new Response("Payload too large", { status: 413 });
  }
  if (topic !== handler.topic) {
    await recordRejected(delivery, `topic ${topic} sent to the ${handler.topic} route`);
    return new Response("Wrong topic for this address", { status: 400 });
  }
  try {
    // A shape check on the library's JSON.parse result (ids above 2^53 are rounded there, which
    // a shape check doesn't mind); the worker reads the stored text losslessly for the values.
    handler.parse(context.payload);
  } catch (error) {
    const message = describeFailure(error);
    withContext({ shop: shopDomain, topic, webhookId }).warn({ error: message }, "webhook payload rejected");
    await recordRejected(delivery, message);
    return new Response("Unprocessable payload", { status: 422 });
  }

  const recorded = await recordDelivery({ ...delivery, payload: text });
  if (!recorded.alreadyProcessed) kickInbox();
  return new Response(null, { status: 200 });
}
