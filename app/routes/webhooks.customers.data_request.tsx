import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { customersDataRequest } from "~/webhooks/handlers.server";

/** Compliance: assemble what Keepsake holds on the customer for staff to hand over. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersDataRequest);
