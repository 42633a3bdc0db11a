import type { ActionFunctionArgs } from "@remix-run/node";
import { recordCancellation } from "~/loyalty/services/orders.server";
import { parseOrder } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** orders/cancelled → take back what is left of the order's award. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ shop, payload }) => {
    await recordCancellation(await shop(), parseOrder(payload));
  });
