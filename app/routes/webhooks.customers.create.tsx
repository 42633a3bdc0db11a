import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { customersCreate } from "~/webhooks/handlers.server";

/** customers/create → enroll (+ sign-up bonus) and claim earlier guest checkouts by email. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, customersCreate);
