/**
 * Calls an admin route's own loader/action as Remix would (session token in the Authorization
 * header, as App Bridge sends it) and answers { status, body } whatever form the route used:
 * a plain object, `data(body, { status })`, or a thrown Response (authentication, 404).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { adminRequest } from "./session-token";

type RouteFunction = (args: LoaderFunctionArgs | ActionFunctionArgs) => Promise<unknown>;

export interface RouteAnswer {
  status: number;
  // Tests read whatever the route answered (each asserts the shape it expects).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function answer(run: () => Promise<unknown>): Promise<RouteAnswer> {
  let result: unknown;
  try {
    result = await run();
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: null };
    throw thrown;
  }
  if (result instanceof Response) return { status: result.status, body: null };
  if (result && typeof result === "object" && (result as { type?: unknown }).type === "DataWithResponseInit") {
    const wrapped = result as { data: unknown; init: { status?: number } | null };
    return { status: wrapped.init?.status ?? 200, body: wrapped.data };
  }
  return { status: 200, body: result };
}

export interface AdminCallOptions {
  params?: Record<string, string>;
  /** Session token overrides (`sub` = the staff user id). */
  token?: string;
}

export async function adminLoader(
  loader: RouteFunction,
  path: string,
  shop: string,
  options: AdminCallOptions = {},
): Promise<RouteAnswer> {
  const request = await adminRequest(path, shop, options.token ? { token: options.token } : {});
  return answer(() => loader({ request, params: options.params ?? {}, context: {} }));
}

export async function adminAction(
  action: RouteFunction,
  path: string,
  shop: string,
  fields: Record<string, string>,
  options: AdminCallOptions = {},
): Promise<RouteAnswer> {
  const request = await adminRequest(path, shop, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    ...(options.token ? { token: options.token } : {}),
  });
  return answer(() => action({ request, params: options.params ?? {}, context: {} }));
}
