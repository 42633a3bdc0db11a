/**
 * Pure pieces of the Shopify outbox (ADR 009): the metafields the theme extension reads, how calls are
 * cut at Shopify's 25-metafield limit, and the retry schedule — checked against the 2026-07 schema and
 * the stand-in's metafield rules.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_TRIES, outboxBackoffMs } from "~/jobs/shopify-outbox.server";
import type { ProgramInfo } from "~/loyalty/storefront-contract";
import {
  balanceMetafield,
  BALANCE_METAFIELD,
  chunkBySize,
  EARN_RATE_METAFIELD,
  MAX_METAFIELDS_PER_CALL,
  programMetafields,
  PROGRAM_METAFIELD,
} from "~/shopify/metafields.server";
import { metafieldValueProblem } from "../support/shopify/admin-graphql";

const PROGRAM: ProgramInfo = { currency: "USD", waysToEarn: [{ kind: "order", points: 1, description: "1 point per USD 1 spent" }], rewards: [] };
const INSTALLATION = "gid://shopify/AppInstallation/1";
const blocks = (name: string) =>
  readFileSync(path.resolve(__dirname, "../../extensions/keepsake-theme/blocks", name), "utf8");

describe("storefront metafields", () => {
  it("are the ones the theme extension's Liquid reads", () => {
    const launcher = blocks("launcher.liquid");
    const rewardsPage = blocks("rewards-page.liquid");
    const productPoints = blocks("product-points.liquid");
    expect(launcher).toContain(`customer.metafields['${BALANCE_METAFIELD.namespace}'].${BALANCE_METAFIELD.key}.value`);
    expect(rewardsPage).toContain(`app.metafields.${PROGRAM_METAFIELD.namespace}.${PROGRAM_METAFIELD.key}.value`);
    expect(productPoints).toContain(`app.metafields.${EARN_RATE_METAFIELD.namespace}.${EARN_RATE_METAFIELD.key}.value`);
  });

  it("balance: an integer on the customer, valid for number_integer", () => {
    const input = balanceMetafield("gid://shopify/Customer/7", 120);
    expect(input).toEqual({ ownerId: "gid://shopify/Customer/7", namespace: "$app:keepsake", key: "balance", type: "number_integer", value: "120" });
    expect(metafieldValueProblem(input.type, input.value)).toBeNull();
    expect(() => balanceMetafield("gid://shopify/Customer/7", 1.5)).toThrow(RangeError);
  });

  it("program: earn rate (number_decimal) and ProgramInfo (json) on the installation", () => {
    const { set, remove } = programMetafields(INSTALLATION, PROGRAM, "1.25");
    expect(remove).toEqual([]);
    expect(set.map((m) => [m.ownerId, m.namespace, m.key, m.type])).toEqual([
      [INSTALLATION, "keepsake", "earn_rate", "number_decimal"],
      [INSTALLATION, "keepsake", "program", "json"],
    ]);
    for (const input of set) expect(metafieldValueProblem(input.type, input.value)).toBeNull();
    expect(JSON.parse(set[1]!.value)).toEqual(PROGRAM);
  });

  it("program: no (or an unreadable) earn rate is removed, never written as 0", () => {
    for (const rate of [null, "", "-1", "abc", "1e3", "0.1234567891"]) {
      const { set, remove } = programMetafields(INSTALLATION, PROGRAM, rate);
      expect(set.map((m) => m.key)).toEqual(["program"]);
      expect(remove).toEqual([{ ownerId: INSTALLATION, namespace: "keepsake", key: "earn_rate" }]);
    }
  });
});

describe("chunkBySize", () => {
  it("fills calls up to the limit, keeps items whole and in order", () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ i, size: i === 10 ? 2 : 1 }));
    const chunks = chunkBySize(items, (item) => item.size);
    expect(chunks.map((chunk) => chunk.reduce((sum, item) => sum + item.size, 0))).toEqual([25, 6]);
    expect(chunks.flat().map((item) => item.i)).toEqual(items.map((item) => item.i));
    expect(MAX_METAFIELDS_PER_CALL).toBe(25);
  });

  it("starts a new call rather than split an item; empty input makes no call", () => {
    expect(chunkBySize([1, 2, 2], (n) => n, 3)).toEqual([[1, 2], [2]]);
    expect(chunkBySize([], () => 1)).toEqual([]);
  });
});

describe("retry schedule", () => {
  it("doubles from 5 s and caps at one hour", () => {
    expect([1, 2, 3, 4].map(outboxBackoffMs)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(outboxBackoffMs(30)).toBe(3_600_000);
    expect(outboxBackoffMs(0)).toBe(5_000);
  });

  it("spreads the tries over hours before giving up", () => {
    let total = 0;
    for (let tries = 1; tries < MAX_TRIES; tries += 1) total += outboxBackoffMs(tries);
    expect(total).toBeGreaterThan(2 * 60 * 60_000);
  });
});

describe("stand-in metafield values", () => {
  it("refuses what Shopify refuses", () => {
    expect(metafieldValueProblem("number_integer", "1.5")).toMatch(/integer/);
    expect(metafieldValueProblem("number_decimal", "abc")).toMatch(/decimal/);
    expect(metafieldValueProblem("json", "{")).toMatch(/JSON/);
    expect(metafieldValueProblem("not_a_type", "x")).toBe("type");
    expect(metafieldValueProblem("list.single_line_text_field", "[]")).toBeNull();
  });
});
