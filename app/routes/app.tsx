import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { env } from "~/env.server";
import { authenticate } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

/**
 * The App Bridge stand-in the offline demo's local "Shopify" (scripts/demo/shopify-stand-in.ts, at
 * SHOPIFY_ADMIN_API_ORIGIN) serves instead of Shopify's CDN script. Demo mode only.
 */
export const DEMO_APP_BRIDGE_PATH = "/cdn/app-bridge.js";

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  const config = env();
  const appBridgeUrl =
    config.KEEPSAKE_DEMO && config.SHOPIFY_ADMIN_API_ORIGIN
      ? new URL(DEMO_APP_BRIDGE_PATH, config.SHOPIFY_ADMIN_API_ORIGIN).toString()
      : undefined;
  return { apiKey: config.SHOPIFY_API_KEY, appBridgeUrl };
}

export default function App() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}>
      <NavMenu>
        <Link to="/app" rel="home">
          Dashboard
        </Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so its headers reach the browser.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
