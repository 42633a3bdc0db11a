import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { appScopesUpdate } from "~/webhooks/handlers.server";

/** app/scopes_update → store the scopes now granted. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, appScopesUpdate);
