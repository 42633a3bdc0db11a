import type { ActionFunctionArgs } from "@remix-run/node";
import { enrollNewCustomer } from "~/loyalty/services/customers.server";
import { parseCustomer } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** customers/create → enroll (+ sign-up bonus) and claim earlier guest checkouts by email. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ shop, payload }) => {
    await enrollNewCustomer(await shop(), parseCustomer(payload));
  });
