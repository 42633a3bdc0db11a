/**
 * The production server's door for webhooks (server.mjs mounts it before Express): a delivery to
 * `/webhooks/<topic>` goes straight from Node's request to the receiver in ./webhooks.server.ts,
 * without the Express middleware, the Fetch API Request and the Remix route matching that every
 * other request goes through. Same checks, same answers as the topic's Remix route (the webhook
 * security tests run against both doors). ADR 005 has the figures.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import getRawBody from "raw-body";
import { logger } from "~/logger.server";
import { receiveRawWebhook } from "~/shopify/webhooks.server";
import { WEBHOOK_HANDLERS_BY_PATH } from "~/webhooks/handlers.server";

/** Handles `request` if it is addressed to a webhook topic's route; false otherwise (not answered). */
export function webhookIngress(request: IncomingMessage, response: ServerResponse): boolean {
  const url = request.url ?? "";
  if (!url.startsWith("/webhooks/")) return false;
  const query = url.indexOf("?");
  const handler = WEBHOOK_HANDLERS_BY_PATH.get(query === -1 ? url : url.slice(0, query));
  if (!handler) return false;

  const declared = request.headers["content-length"];
  receiveRawWebhook(
    {
      method: request.method ?? "GET",
      header: (name) => {
        const value = request.headers[name];
        return Array.isArray(value) ? value[0] : value;
      },
      declaredLength: declared === undefined ? null : Number(declared),
      readBody: async (limit) => {
        try {
          return await getRawBody(request, { limit });
        } catch (error) {
          if ((error as { type?: string }).type === "entity.too.large") return null;
          throw error;
        }
      },
    },
    handler,
  ).then(
    ({ status, message }) => {
      // A refused body may still be on the wire: close rather than read the rest of it.
      const close = status === 413 || !request.complete;
      response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", ...(close ? { Connection: "close" } : {}) });
      response.end(status === 200 ? undefined : message);
    },
    (error: unknown) => {
      logger.error({ error: error instanceof Error ? error.message : String(error), path: handler.shopifyTopic }, "webhook ingress failed");
      if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain; charset=utf-8", Connection: "close" });
      response.end("Internal error");
    },
  );
  return true;
}
