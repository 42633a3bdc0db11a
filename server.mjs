// The production server (`npm start`): Express + the Remix request handler, like remix-serve but
// without what costs every webhook delivery something and serves it nothing — per-request access
// logs (the app logs with context through pino), a static-file lookup on every path (assets live
// under /assets only), and response compression on webhook and app-proxy answers.
// Webhook deliveries don't even reach Express: the build's `webhookIngress` (app/entry.server.tsx)
// answers them straight from Node's request. docs/decisions/005-webhook-throughput.md.
import { createRequestHandler } from "@remix-run/express";
import { installGlobals } from "@remix-run/node";
import compression from "compression";
import express from "express";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

const buildPath = path.resolve(process.argv[2] ?? "build/server/index.js");
const build = await import(pathToFileURL(buildPath).href);
installGlobals({ nativeFetch: build.future.v3_singleFetch });

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST;

const app = express();
app.disable("x-powered-by");
app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
const compress = compression();
app.use((req, res, next) => (/^\/(webhooks|proxy)\//.test(req.path) ? next() : compress(req, res, next)));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const { webhookIngress } = build.entry.module;
const server = http.createServer((request, response) => {
  if (!webhookIngress(request, response)) app(request, response);
});
if (host) server.listen(port, host, onListen);
else server.listen(port, onListen);
// Shopify keeps delivery connections alive; outlive its idle time so reuse never hits a closing socket.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

function onListen() {
  console.log(`[keepsake] http://${host ?? "localhost"}:${port}`);
}

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
