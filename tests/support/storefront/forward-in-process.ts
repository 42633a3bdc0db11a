/**
 * The fixture storefront's app-proxy forwarder for tests: the signed request goes straight to the real route
 * module (`/proxy/<a>/<b>` → app/routes/proxy.<a>.<b>.tsx; GET → loader, other methods → action), authentication
 * included, against the test database — the same way tests/support/app.ts calls routes, no HTTP server needed.
 * Routes are found with import.meta.glob, so a new proxy route is reachable without touching this file.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { AppForwarder } from "../../../scripts/storefront/server";

interface ProxyRouteModule {
  loader?: (args: LoaderFunctionArgs) => Promise<Response>;
  action?: (args: ActionFunctionArgs) => Promise<Response>;
}

const routeModules = import.meta.glob<ProxyRouteModule>("/app/routes/proxy.*.tsx");

export const forwardInProcess: AppForwarder = async (request) => {
  // `/proxy/referral/claim` → app/routes/proxy.referral.claim.tsx (Remix flat routes: dots are slashes).
  const name = new URL(request.url).pathname.replace(/^\/proxy\//, "").replace(/\//g, ".");
  const load = routeModules[`/app/routes/proxy.${name}.tsx`];
  if (!load) return new Response("Not Found", { status: 404 });
  const route = await load();
  const handler = request.method === "GET" || request.method === "HEAD" ? route.loader : route.action;
  if (!handler) return new Response(null, { status: 405 });
  try {
    return await handler({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown; // Remix answers with a thrown response
    throw thrown;
  }
};
