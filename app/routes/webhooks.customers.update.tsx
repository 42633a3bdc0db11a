import type { ActionFunctionArgs } from "@remix-run/node";
import { updateMemberProfile } from "~/loyalty/services/members.server";
import { parseCustomer } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** customers/update → keep the member's name and email current. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ shop, payload }) => {
    await updateMemberProfile(await shop(), parseCustomer(payload));
  });
