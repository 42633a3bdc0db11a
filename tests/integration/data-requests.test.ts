import { beforeEach, describe, expect, it } from "vitest";
import db from "~/db.server";
import { loader as dashboardLoader } from "~/routes/app._index";
import { loader } from "~/routes/app.data-requests.$requestId";
import { deliver, installShop } from "../support/app";
import { resetDatabase } from "../support/database";
import { adminRequest } from "../support/session-token";
import { customerPayload, customersDataRequestPayload, paidOrderPayload } from "../support/shopify/payloads";

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";

async function download(shop: string, requestId: string): Promise<Response> {
  try {
    return await loader({ request: await adminRequest(`/app/data-requests/${requestId}`, shop), params: { requestId }, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

beforeEach(async () => {
  await resetDatabase(db);
  await installShop(SHOP_A);
  await installShop(SHOP_B);
});

describe("GET /app/data-requests/:requestId", () => {
  it("lets the shop's staff download the document, and no other shop", async () => {
    const customer = customerPayload({ email: "ada@example.com" });
    await deliver("orders/paid", paidOrderPayload({ customer, lines: [{ title: "Mug", price: "8.00" }] }), { shop: SHOP_A });
    const request = customersDataRequestPayload({ customer, shopDomain: SHOP_A });
    await deliver("customers/data_request", request, { shop: SHOP_A });
    const requestId = String(request.data_request.id);

    const dashboard = await dashboardLoader({ request: await adminRequest("/app", SHOP_A), params: {}, context: {} });
    expect(dashboard.dataRequests.map((r) => r.requestId)).toEqual([requestId]);

    const response = await download(SHOP_A, requestId);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toContain(`keepsake-data-request-${requestId}.json`);
    expect(await response.json()).toMatchObject({ member: { email: "ada@example.com", balance: 8 } });

    expect((await download(SHOP_B, requestId)).status).toBe(404);
    expect((await download(SHOP_A, "not-a-number")).status).toBe(400);
  });
});
