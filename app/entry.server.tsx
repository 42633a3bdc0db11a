import { PassThrough } from "stream";
import { renderToPipeableStream } from "react-dom/server";
import { RemixServer } from "@remix-run/react";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { isbot } from "isbot";
import { env } from "./env.server";
import { startRedemptionRecovery } from "./jobs/redemption-recovery.server";
import { startScheduler } from "./jobs/scheduler.server";
import { startShopifyOutboxWorker } from "./jobs/shopify-outbox.server";
import { startInboxWorker } from "./jobs/webhook-inbox.server";
import { addDocumentResponseHeaders } from "./shopify.server";

export const streamTimeout = 5000;

// For server.mjs (build.entry.module): webhook deliveries skip Express and Remix (ADR 005).
export { webhookIngress } from "./shopify/webhook-ingress.server";

// The server loads this module once at boot: start applying stored webhooks (and anything a
// previous process left unapplied), send the Shopify outbox (storefront metafields, ADR 009) and
// settle redemptions a crash left pending (ADR 007), and run the daily per-shop jobs (tier review,
// expiry, …: ADR 014). Tests drive these themselves.
if (env().NODE_ENV !== "test") {
  startInboxWorker();
  startShopifyOutboxWorker();
  startRedemptionRecovery();
  startScheduler();
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  allowDemoAdminFrame(responseHeaders);
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} />,
      {
        [callbackName]: () => {
          const body = new PassThrough();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html");
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error) {
          reject(error);
        },
        onError(error) {
          responseStatusCode = 500;
          console.error(error);
        },
      },
    );
    setTimeout(abort, streamTimeout + 1000);
  });
}

/**
 * Offline demo only (KEEPSAKE_DEMO, which env.server.ts confines to loopback and the demo secret): the admin frame
 * is the local Shopify stand-in at SHOPIFY_ADMIN_API_ORIGIN, so frame-ancestors must let it embed the app, and the
 * unreachable CDN script is not preloaded.
 */
function allowDemoAdminFrame(headers: Headers) {
  const config = env();
  if (!config.KEEPSAKE_DEMO || !config.SHOPIFY_ADMIN_API_ORIGIN) return;
  // The library preloads Shopify's CDN App Bridge; the demo serves its own (app/routes/app.tsx).
  if (headers.get("Link")?.includes("cdn.shopify.com")) headers.delete("Link");
  const policy = headers.get("Content-Security-Policy");
  if (!policy?.includes("frame-ancestors")) return;
  const standIn = new URL(config.SHOPIFY_ADMIN_API_ORIGIN);
  const origins = [standIn.origin];
  if (standIn.hostname === "127.0.0.1") origins.push(`${standIn.protocol}//localhost:${standIn.port}`);
  if (standIn.hostname === "localhost") origins.push(`${standIn.protocol}//127.0.0.1:${standIn.port}`);
  headers.set("Content-Security-Policy", policy.replace("frame-ancestors", `frame-ancestors ${origins.join(" ")}`));
}
