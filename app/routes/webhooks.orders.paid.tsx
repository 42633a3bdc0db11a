import type { ActionFunctionArgs } from "@remix-run/node";
import { recordPaidOrder } from "~/loyalty/services/orders.server";
import { parseOrder } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** orders/paid → the order's points, once, whatever the number of deliveries. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ shop, payload }) => {
    await recordPaidOrder(await shop(), parseOrder(payload));
  });
