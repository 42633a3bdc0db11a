import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

/** Shopify opens the app at / with ?shop=…; send it to the embedded admin. */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
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
