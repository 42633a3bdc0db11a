import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShop } from "~/loyalty/services/shops.server";
import { handleWebhook } from "~/shopify/webhooks.server";

/** Compliance: 48 hours after uninstall, delete every row of the shop. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ domain }) => {
    await redactShop(domain);
  });
