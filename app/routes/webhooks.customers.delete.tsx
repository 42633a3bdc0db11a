import type { ActionFunctionArgs } from "@remix-run/node";
import { erasePersonalData } from "~/loyalty/services/members.server";
import { parseCustomerDelete } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** customers/delete → remove personal data; the ledger totals stay. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ shop, payload }) => {
    await erasePersonalData(await shop(), parseCustomerDelete(payload));
  });
