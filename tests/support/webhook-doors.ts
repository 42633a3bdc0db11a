/**
 * The two ways a webhook delivery reaches the app: the topic's Remix route (`shopify app dev`, what
 * tests/support/app.ts `deliver` calls) and the production server's ingress (server.mjs), here on a
 * real HTTP server in the test process. Security tests run against both so they can't drift apart.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { webhookIngress } from "~/shopify/webhook-ingress.server";
import { callAction } from "./app";
import type { WebhookTopic } from "./shopify/webhooks";

export interface WebhookDoor {
  name: string;
  send: (topic: WebhookTopic, request: Request) => Promise<Response>;
}

export const remixRouteDoor: WebhookDoor = { name: "Remix route", send: callAction };

/** A node:http server that answers webhook paths with the ingress and everything else with 404. */
export async function startIngressDoor(): Promise<WebhookDoor & { close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (!webhookIngress(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: "production ingress",
    send: async (_topic, request) => {
      const url = new URL(request.url);
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      return fetch(`${base}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, body });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
