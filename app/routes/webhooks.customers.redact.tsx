import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { customersRedact } from "~/webhooks/handlers.server";

/** Compliance: erase the customer's personal data (ledger totals hold none and stay). */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersRedact);
