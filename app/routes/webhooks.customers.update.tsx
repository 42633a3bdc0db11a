import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { customersUpdate } from "~/webhooks/handlers.server";

/** customers/update → keep the member's name and email current. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersUpdate);
