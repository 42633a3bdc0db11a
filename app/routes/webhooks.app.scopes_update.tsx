import type { ActionFunctionArgs } from "@remix-run/node";
import { updateScopes } from "~/loyalty/services/shops.server";
import { parseScopesUpdate } from "~/shopify/payloads";
import { handleWebhook } from "~/shopify/webhooks.server";

/** app/scopes_update → store the scopes now granted. */
export const action = ({ request }: ActionFunctionArgs) =>
  handleWebhook(request, async ({ domain, payload }) => {
    await updateScopes(domain, parseScopesUpdate(payload).scopes);
  });
