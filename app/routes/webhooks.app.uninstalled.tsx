import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveWebhook } from "~/shopify/webhooks.server";
import { appUninstalled } from "~/webhooks/handlers.server";

/** app/uninstalled → drop sessions, mark the shop uninstalled; data kept until shop/redact. */
export const action = ({ request }: ActionFunctionArgs) => receiveWebhook(request, appUninstalled);
