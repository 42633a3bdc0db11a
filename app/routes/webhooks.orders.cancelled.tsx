import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { ordersCancelled } from "~/webhooks/handlers.server";

/** orders/cancelled → take back what is left of the order's award. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, ordersCancelled);
