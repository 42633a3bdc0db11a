import type { ActionFunctionArgs } from "@remix-run/node";
import { buildDataRequest } from "~/loyalty/services/members.server";
import { parseCustomersDataRequest } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** Compliance: assemble what Keepsake holds on the customer for staff to hand over. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ shop, payload }) => {
    await buildDataRequest(await shop(), parseCustomersDataRequest(payload));
  });
