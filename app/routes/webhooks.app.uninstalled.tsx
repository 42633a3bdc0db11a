import type { ActionFunctionArgs } from "@remix-run/node";
import { markUninstalled } from "~/loyalty/services/shops.server";
import { handleWebhook } from "~/shopify/webhooks.server";

/** app/uninstalled → drop sessions, mark the shop uninstalled; data kept until shop/redact. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ domain }) => {
    await markUninstalled(domain);
  });
