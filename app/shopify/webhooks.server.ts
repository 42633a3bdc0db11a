/**
 * The receiving side of every webhook topic (DESIGN.md "Webhooks"):
 *   405 non-POST, 413 too big, 400 a Shopify header missing, 401 bad HMAC
 *   → read the payload with the topic's parser (malformed or unreadable: recorded as failed, 400/422,
 *     nothing changes)
 *   → store the delivery in the inbox (WebhookDelivery, unique per shop + X-Shopify-Webhook-Id)
 *   → 200. The inbox worker applies it right after (app/jobs/webhook-inbox.server.ts).
 * A delivery already processed is only counted. Shopify's ~5 s limit never waits on our work.
 *
 * Two doors, one receiver: the topic's Remix route (`receiveWebhook`, what `shopify app dev` and the
 * tests call) and the production server's webhook ingress (./webhook-ingress.server.ts), which
 * skips Express and Remix for the busiest path of the app (ADR 005).
 */
import { env } from "~/env.server";
import { withContext } from "~/logger.server";
import { kickInbox } from "~/jobs/webhook-inbox.server";
import { isSignedByShopify, REQUIRED_WEBHOOK_HEADERS } from "~/shopify/webhook-signature";
import { storedTopic, type WebhookHandler } from "~/webhooks/handlers.server";
import { describeFailure, recordDelivery, recordRejected, whileReceiving } from "~/webhooks/inbox.server";

/** A delivery as either door sees it, before anything is trusted. */
export interface RawWebhook {
  method: string;
  /** By lower-case name. */
  header: (name: string) => string | undefined;
  /** Content-Length as sent, if any. */
  declaredLength: number | null;
  /** The body's bytes, or null once it passes `limit` (the rest is not read). */
  readBody: (limit: number) => Promise<Buffer | null>;
}

export interface WebhookAnswer {
  status: number;
  message: string;
}

const answer = (status: number, message: string): WebhookAnswer => ({ status, message });

export function receiveRawWebhook<Data>(raw: RawWebhook, handler: WebhookHandler<Data>): Promise<WebhookAnswer> {
  return whileReceiving(() => receive(raw, handler));
}

async function receive<Data>(raw: RawWebhook, handler: WebhookHandler<Data>): Promise<WebhookAnswer> {
  if (raw.method !== "POST") return answer(405, "Method not allowed");
  const maxBytes = env().WEBHOOK_MAX_BYTES;
  if ((raw.declaredLength ?? 0) > maxBytes) return answer(413, "Payload too large");
  if (REQUIRED_WEBHOOK_HEADERS.some((name) => !raw.header(name))) return answer(400, "Missing Shopify headers");

  const body = await raw.readBody(maxBytes);
  if (body === null) return answer(413, "Payload too large");
  if (!isSignedByShopify(body, raw.header("x-shopify-hmac-sha256") ?? "", env().SHOPIFY_API_SECRET)) {
    return answer(401, "Unauthorized");
  }

  // From here on Shopify signed what we read: a delivery we can't use is kept as a failed row.
  const delivery = {
    shopDomain: raw.header("x-shopify-shop-domain") ?? "",
    webhookId: raw.header("x-shopify-webhook-id") ?? "",
    topic: storedTopic(raw.header("x-shopify-topic") ?? ""),
    eventId: raw.header("x-shopify-event-id"),
  };
  if (delivery.topic !== handler.topic) {
    await recordRejected(delivery, `topic ${delivery.topic} sent to the ${handler.topic} route`);
    return answer(400, "Wrong topic for this address");
  }
  const text = body.toString("utf8");
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    await recordRejected(delivery, "malformed JSON body");
    return answer(400, "Malformed JSON");
  }
  try {
    // A shape check on the plain JSON.parse result (ids above 2^53 are rounded there, which a shape
    // check doesn't mind); the worker reads the stored text losslessly for the values.
    handler.parse(payload);
  } catch (error) {
    const message = describeFailure(error);
    withContext({ shop: delivery.shopDomain, topic: delivery.topic, webhookId: delivery.webhookId }).warn(
      { error: message },
      "webhook payload rejected",
    );
    await recordRejected(delivery, message);
    return answer(422, "Unprocessable payload");
  }

  const recorded = await recordDelivery({ ...delivery, payload: text });
  if (!recorded.alreadyProcessed) kickInbox();
  return answer(200, "OK");
}

/** The Remix routes' door: `export const action = ({ request }) => receiveWebhook(request, ordersPaid)`. */
export async function receiveWebhook<Data>(request: Request, handler: WebhookHandler<Data>): Promise<Response> {
  const declared = request.headers.get("content-length");
  const { status, message } = await receiveRawWebhook(
    {
      method: request.method,
      header: (name) => request.headers.get(name) ?? undefined,
      declaredLength: declared === null ? null : Number(declared),
      readBody: async (limit) => {
        const bytes = Buffer.from(await request.arrayBuffer());
        return bytes.length > limit ? null : bytes;
      },
    },
    handler,
  );
  return new Response(status === 200 ? null : message, { status });
}
