import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { env } from "~/env.server";

/** Shopify opens the app at / with ?shop=…; send it to the embedded admin. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  // Offline demo (npm run demo): the local Shopify stand-in's admin frame is the way in.
  const config = env();
  if (config.KEEPSAKE_DEMO && config.SHOPIFY_ADMIN_API_ORIGIN) {
    throw redirect(new URL("/admin", config.SHOPIFY_ADMIN_API_ORIGIN).toString());
  }
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return Response.json({ name: "Keepsake", description: "Loyalty and rewards for Shopify stores" });
}

export default function Index() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", padding: "2rem" }}>
      <h1>Keepsake</h1>
      <p>Loyalty and rewards for Shopify stores. Install Keepsake from the Shopify App Store.</p>
    </main>
  );
}
