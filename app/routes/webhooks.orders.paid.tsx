import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { ordersPaid } from "~/webhooks/handlers.server";

/** orders/paid → the order's points, once, whatever the number of deliveries. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, ordersPaid);
