import type { ActionFunctionArgs } from "@remix-run/node";
import { erasePersonalData } from "~/loyalty/services/members.server";
import { parseCustomersRedact } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** Compliance: erase the customer's personal data (ledger totals hold none and stay). */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ shop, payload }) => {
    await erasePersonalData(await shop(), parseCustomersRedact(payload));
  });
