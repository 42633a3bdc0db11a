import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { customersDelete } from "~/webhooks/handlers.server";

/** customers/delete → remove personal data; the ledger totals stay. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersDelete);
