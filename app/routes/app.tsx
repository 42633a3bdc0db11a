import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Outlet,
  useLoaderData,
  useLocation,
  useNavigation,
  useRouteError,
  useRouteLoaderData,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import { BlockStack, Card, Layout, SkeletonBodyText, SkeletonDisplayText, SkeletonPage } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisKo from "@shopify/polaris/locales/ko.json";
import { env } from "~/env.server";
import { adminLocale, adminStrings } from "~/i18n/admin";
import { analyticsStrings } from "~/i18n/features/analytics";
import { translateServerMessage } from "~/i18n/server-messages";
import { auditStrings } from "~/i18n/features/audit";
import { authenticate } from "~/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

/** The frame's document title (axe document-title); the admin shows the TitleBar's. */
export const meta = () => [{ title: "Keepsake" }];

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
  // Shopify opens the app with the staff member's admin language as ?locale=; later in-app
  // navigations do not carry it, which is why this loader does not run again (shouldRevalidate).
  const locale = adminLocale(new URL(request.url).searchParams.get("locale") ?? request.headers.get("Accept-Language"));
  return { apiKey: config.SHOPIFY_API_KEY, appBridgeUrl, locale };
}

export const shouldRevalidate: ShouldRevalidateFunction = () => false;

const POLARIS_TRANSLATIONS = { en: polarisEn, ko: polarisKo };

/**
 * While a navigation to a different page loads, its skeleton instead of the stale page. Submissions
 * that reload the same page keep it (their forms show their own loading state).
 */
function useLoadingPathname(): string | undefined {
  const navigation = useNavigation();
  const location = useLocation();
  const next = navigation.state === "loading" ? navigation.location : undefined;
  return next && next.pathname !== location.pathname ? next.pathname : undefined;
}

function LoadingSkeleton({ title }: { title?: string }) {
  return (
    <div data-testid="page-skeleton" aria-busy="true">
      <SkeletonPage title={title}>
        <Layout>
          <Layout.Section>
            <BlockStack gap="400">
              <Card>
                <BlockStack gap="400">
                  <SkeletonDisplayText size="small" />
                  <SkeletonBodyText lines={3} />
                </BlockStack>
              </Card>
              <Card>
                <SkeletonBodyText lines={4} />
              </Card>
            </BlockStack>
          </Layout.Section>
        </Layout>
      </SkeletonPage>
    </div>
  );
}

export default function App() {
  const { apiKey, appBridgeUrl, locale } = useLoaderData<typeof loader>();
  const t = adminStrings(locale);
  const loadingPathname = useLoadingPathname();
  const navTitles: Record<string, string> = {
    "/app": t.nav.dashboard,
    "/app/program": t.nav.program,
    "/app/rewards": t.nav.rewards,
    "/app/members": t.nav.members,
    "/app/analytics": analyticsStrings.strings(locale).nav,
    "/app/settings": t.nav.settings,
    "/app/audit": auditStrings.strings(locale).title,
  };
  return (
    <AppProvider
      isEmbeddedApp
      apiKey={apiKey}
      i18n={POLARIS_TRANSLATIONS[locale]}
      {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}
    >
      <NavMenu>
        <Link to="/app" rel="home">
          {t.nav.dashboard}
        </Link>
        <Link to="/app/program">{t.nav.program}</Link>
        <Link to="/app/rewards">{t.nav.rewards}</Link>
        <Link to="/app/members">{t.nav.members}</Link>
        <Link to="/app/analytics">{analyticsStrings.strings(locale).nav}</Link>
        <Link to="/app/settings">{t.nav.settings}</Link>
      </NavMenu>
      {loadingPathname ? <LoadingSkeleton title={navTitles[loadingPathname.replace(/\/$/, "")]} /> : <Outlet />}
    </AppProvider>
  );
}

// Shopify needs Remix to catch some thrown responses so its headers reach the browser.
export function ErrorBoundary() {
  const error = useRouteError();
  const data = useRouteLoaderData<typeof loader>("routes/app");
  // A page's own 404 ("Not found" for another shop's or an unknown id) in the staff's language.
  if (isRouteErrorResponse(error) && error.status === 404 && typeof error.data === "string" && !error.data.includes("<")) {
    const locale = data?.locale ?? "en";
    return (
      <p role="alert" lang={locale} style={{ padding: "1rem", fontFamily: "system-ui, sans-serif" }}>
        {translateServerMessage(error.data, locale)}
      </p>
    );
  }
  return boundary.error(error);
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
