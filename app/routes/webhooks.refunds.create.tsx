import type { ActionFunctionArgs } from "@remix-run/node";
import { recordRefund } from "~/loyalty/services/orders.server";
import { parseRefund } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** refunds/create → reverse the refunded merchandise share of the order's points. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ shop, payload }) => {
    await recordRefund(await shop(), parseRefund(payload));
  });
