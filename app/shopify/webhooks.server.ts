/**
 * One pipeline for every webhook topic (DESIGN.md "Webhooks"):
 *   verify with the library (405 non-POST, 401 bad HMAC, 400 missing headers)
 *   → record the delivery (WebhookDelivery, unique per shop + X-Shopify-Webhook-Id)
 *   → apply the domain event idempotently → mark it processed → 200.
 * A delivery already processed answers 200 at once. A payload we can't read is recorded as failed
 * (422: nothing changes); an unexpected error is recorded and answered 500 so Shopify retries.
 */
import { ZodError } from "zod";
import db from "~/db.server";
import { env } from "~/env.server";
import { withContext, type Logger } from "~/logger.server";
import { isUniqueViolation } from "~/loyalty/ledger.server";
import { ensureShop, type ShopRecord } from "~/loyalty/services/shops.server";
import { authenticate } from "~/shopify.server";
import { parseShopifyJson } from "./json";

export interface WebhookEvent {
  domain: string;
  topic: string;
  payload: unknown;
  /** The shop's row, created on first use. */
  shop: () => Promise<ShopRecord>;
  log: Logger;
}

type DeliveryStatus = "received" | "processed" | "failed";

const header = (request: Request, name: string) => request.headers.get(name) ?? undefined;

async function beginDelivery(shopDomain: string, webhookId: string, topic: string, eventId?: string) {
  const where = { shopDomain_webhookId: { shopDomain, webhookId } };
  const existing = await db.webhookDelivery.findUnique({ where, select: { status: true } });
  if (existing) {
    await db.webhookDelivery.update({ where, data: { attempts: { increment: 1 } } });
    return { alreadyProcessed: existing.status === "processed" };
  }
  try {
    await db.webhookDelivery.create({
      data: { shopDomain, webhookId, topic, eventId, status: "received" },
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The same delivery twice at once: count it, and apply again (application is idempotent).
    await db.webhookDelivery.update({ where, data: { attempts: { increment: 1 } } });
  }
  return { alreadyProcessed: false };
}

async function finishDelivery(shopDomain: string, webhookId: string, status: DeliveryStatus, error?: string) {
  // updateMany: shop/redact deletes the shop's deliveries, this one included.
  await db.webhookDelivery.updateMany({
    where: { shopDomain, webhookId, status: { not: "processed" } },
    data: { status, error: error?.slice(0, 1000) ?? null, processedAt: status === "processed" ? new Date() : null },
  });
}

async function recordRejected(request: Request, reason: string): Promise<void> {
  const shopDomain = header(request, "x-shopify-shop-domain");
  const webhookId = header(request, "x-shopify-webhook-id");
  const topic = header(request, "x-shopify-topic") ?? "unknown";
  if (!shopDomain || !webhookId) return;
  await beginDelivery(shopDomain, webhookId, topic);
  await finishDelivery(shopDomain, webhookId, "failed", reason);
}

function describe(error: unknown): string {
  if (error instanceof ZodError) {
    return `invalid payload: ${error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`;
  }
  return error instanceof Error ? error.message : String(error);
}

export async function handleWebhook(
  request: Request,
  apply: (event: WebhookEvent) => Promise<void>,
): Promise<Response> {
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
      await recordRejected(request, "malformed JSON body");
      return new Response("Malformed JSON", { status: 400 });
    }
    throw error;
  }

  const { shop: domain, topic, webhookId } = context;
  const log = withContext({ shop: domain, topic, webhookId });
  const text = copy ? await copy.text() : "";
  if (text.length > env().WEBHOOK_MAX_BYTES) {
    await recordRejected(request, "payload too large");
    return new Response("Payload too large", { status: 413 });
  }

  const delivery = await beginDelivery(domain, webhookId, topic, header(request, "x-shopify-event-id"));
  if (delivery.alreadyProcessed) {
    log.debug("duplicate delivery ignored");
    return new Response(null, { status: 200 });
  }

  let cachedShop: Promise<ShopRecord> | undefined;
  try {
    await apply({
      domain,
      topic,
      payload: parseShopifyJson(text),
      shop: () => (cachedShop ??= ensureShop(domain)),
      log,
    });
    await finishDelivery(domain, webhookId, "processed");
    return new Response(null, { status: 200 });
  } catch (error) {
    const message = describe(error);
    await finishDelivery(domain, webhookId, "failed", message);
    if (error instanceof ZodError) {
      log.warn({ error: message }, "webhook payload rejected");
      return new Response("Unprocessable payload", { status: 422 });
    }
    log.error({ error: message }, "webhook failed");
    return new Response("Webhook failed", { status: 500 });
  }
}
