/**
 * Keepsake checks webhook signatures itself (ADR 005: the library's check costs 50× more per
 * delivery). This holds it to @shopify/shopify-api's own answer on the same deliveries.
 */
import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { isSignedByShopify } from "~/shopify/webhook-signature";
import { signedWebhookRequest, webhookHmac } from "../support/shopify/webhooks";

const SECRET = "unit-test-secret";
const library = shopifyApi({
  apiKey: "unit-test-key",
  apiSecretKey: SECRET,
  hostName: "keepsake.test",
  apiVersion: ApiVersion.July26,
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

const validHmac = (body: string) => webhookHmac(body, SECRET);

const bodies = {
  "an order": '{"id":820982911946154508,"total_price":"10.00"}',
  "non-ASCII text": '{"note":"생일 축하해요 🎂","name":"Zoë"}',
  "an empty object": "{}",
  "not JSON at all": "hello",
};

const signatures: Record<string, (body: string) => string> = {
  "the right signature": validHmac,
  "another secret's signature": (body) => webhookHmac(body, "someone-else"),
  "the signature of another body": (body) => validHmac(`${body} `),
  "the right signature with a stray character": (body) => `${validHmac(body)}!`,
  "the right signature without its padding": (body) => validHmac(body).replace(/=+$/, ""),
  "the right signature in hex": (body) => Buffer.from(validHmac(body), "base64").toString("hex"),
  "a blank signature": () => " ",
};

describe("isSignedByShopify agrees with the library's webhooks.validate", () => {
  for (const [bodyName, body] of Object.entries(bodies)) {
    for (const [signatureName, sign] of Object.entries(signatures)) {
      it(`${bodyName}, ${signatureName}`, async () => {
        const signature = sign(body);
        const request = signedWebhookRequest({
          topic: "orders/paid",
          shop: "test-shop.myshopify.com",
          body,
          secret: SECRET,
          headers: { "X-Shopify-Hmac-Sha256": signature },
        });
        const libraryAnswer = await library.webhooks.validate({ rawBody: body, rawRequest: request });
        const ours = isSignedByShopify(Buffer.from(body, "utf8"), signature, SECRET);
        expect(ours).toBe(libraryAnswer.valid);
        expect(ours).toBe(signatureName === "the right signature");
      });
    }
  }
});
