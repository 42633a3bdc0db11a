import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { refundsCreate } from "~/webhooks/handlers.server";

/** refunds/create → reverse the refunded merchandise share of the order's points. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, refundsCreate);
