import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { shopRedact } from "~/webhooks/handlers.server";

/** Compliance: 48 hours after uninstall, delete every row of the shop. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, shopRedact);
