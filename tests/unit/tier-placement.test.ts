import { describe, expect, it } from "vitest";
import { mergePlans, needsSync, placementOf, placementPlan, type ProgramState } from "~/loyalty/tier-placement";
import { TierLadderSchema, type TierInput, type TierLadder } from "~/loyalty/tiers";

function tier(handle: string, thresholdValue: string, overrides: Partial<TierInput> = {}): TierInput {
  return {
    handle,
    name: handle[0]?.toUpperCase() + handle.slice(1),
    thresholdKind: "points_earned",
    thresholdValue,
    qualificationPeriod: "calendar_year",
    earnMultiplier: "1",
    ...overrides,
  };
}

const ladder = (tiers: TierInput[]): TierLadder => TierLadderSchema.parse(tiers);
const BASE = [tier("bronze", "0"), tier("silver", "500", { entryReward: { kind: "points", points: 100 } }), tier("gold", "1500")];
const on = (tiers: TierInput[]): ProgramState => ({ enabled: true, ladder: ladder(tiers) });
const progress = (pointsEarned: number) => ({ pointsEarned, amountSpent: "0", ordersCount: 0 });

describe("placementPlan: what a save owes the members", () => {
  it("turning tiers on places everyone; off clears everyone; off → off owes nothing", () => {
    expect(placementPlan({ ...on(BASE), enabled: false }, on(BASE))).toEqual({ place: true, sync: [] });
    expect(placementPlan(on(BASE), { ...on(BASE), enabled: false })).toEqual({ place: false, sync: "all" });
    expect(placementPlan({ ...on(BASE), enabled: false }, { ...on(BASE), enabled: false })).toBeNull();
  });

  it("perks, multipliers and entry rewards owe nothing", () => {
    const changed = [tier("bronze", "0", { perks: "Hi" }), tier("silver", "500", { earnMultiplier: "2" }), tier("gold", "1500", { entryReward: { kind: "points", points: 5 } })];
    expect(placementPlan(on(BASE), on(changed))).toBeNull();
  });

  it("a rename syncs that tier's members and those whose next tier it is, nobody else, and places nobody", () => {
    const renamed = [BASE[0]!, BASE[1]!, tier("gold", "1500", { name: "Or" })];
    expect(placementPlan(on(BASE), on(renamed))).toEqual({ place: false, sync: ["silver", "gold"] });
    const bronzeRenamed = [tier("bronze", "0", { name: "Member" }), BASE[1]!, BASE[2]!];
    expect(placementPlan(on(BASE), on(bronzeRenamed))).toEqual({ place: false, sync: ["bronze"] });
  });

  it("a lowered threshold places (promotions) and syncs the tier below; a raised one only syncs", () => {
    const lowered = [BASE[0]!, BASE[1]!, tier("gold", "1000")];
    expect(placementPlan(on(BASE), on(lowered))).toEqual({ place: true, sync: ["silver"] });
    const raised = [BASE[0]!, BASE[1]!, tier("gold", "2000")];
    expect(placementPlan(on(BASE), on(raised))).toEqual({ place: false, sync: ["silver"] });
  });

  it("a removed, added or unhidden tier places; a newly hidden one does not, but its neighbours resync", () => {
    expect(placementPlan(on(BASE), on([BASE[0]!, BASE[2]!]))).toEqual({ place: true, sync: ["bronze"] });
    expect(placementPlan(on(BASE), on([...BASE, tier("platinum", "5000")]))).toEqual({ place: true, sync: ["gold", "platinum"] });
    const hidden = [BASE[0]!, BASE[1]!, tier("gold", "1500", { hidden: true })];
    expect(placementPlan(on(BASE), on(hidden))).toEqual({ place: false, sync: ["silver"] });
    expect(placementPlan(on(hidden), on(BASE))).toEqual({ place: true, sync: ["silver"] });
  });

  it("a changed threshold kind or period places and syncs everyone", () => {
    const period = BASE.map((item) => ({ ...item, qualificationPeriod: "lifetime" as const }));
    expect(placementPlan(on(BASE), on(period))).toEqual({ place: true, sync: "all" });
  });

  it("two saves before the pass: it owes both", () => {
    expect(mergePlans({ place: false, sync: ["gold"] }, { place: true, sync: ["bronze", "gold"] })).toEqual({ place: true, sync: ["bronze", "gold"] });
    expect(mergePlans({ place: false, sync: "all" }, { place: false, sync: ["gold"] })).toEqual({ place: false, sync: "all" });
    expect(mergePlans(null, { place: false, sync: ["gold"] })).toEqual({ place: false, sync: ["gold"] });
    expect(needsSync({ place: false, sync: ["gold"] }, "gold")).toBe(true);
    expect(needsSync({ place: false, sync: ["gold"] }, "silver")).toBe(false);
    expect(needsSync({ place: false, sync: "all" }, null)).toBe(false);
  });
});

describe("placementOf: where one member goes", () => {
  const l = ladder(BASE);

  it("a member without a tier enters the tier they qualify for, crossing entry rewards once by their keys", () => {
    expect(placementOf(l, { id: "m1", tierHandle: null }, progress(1600))).toEqual({
      from: null,
      to: "gold",
      entryRewards: [{ tierHandle: "silver", reward: { kind: "points", points: 100 }, idempotencyKey: "tier-entry:m1:silver" }],
    });
    expect(placementOf(l, { id: "m1", tierHandle: null }, progress(0))).toMatchObject({ to: "bronze", entryRewards: [] });
  });

  it("a member is promoted when they now qualify, never demoted by a save (a raised threshold waits for the review)", () => {
    expect(placementOf(l, { id: "m2", tierHandle: "silver" }, progress(1500))).toMatchObject({ from: "silver", to: "gold", entryRewards: [] });
    expect(placementOf(l, { id: "m2", tierHandle: "gold" }, progress(10))).toBeNull();
    expect(placementOf(l, { id: "m2", tierHandle: "silver" }, progress(600))).toBeNull();
  });

  it("a member of a removed tier goes to the highest remaining visible tier they qualify for", () => {
    const noSilver = ladder([BASE[0]!, BASE[2]!]);
    expect(placementOf(noSilver, { id: "m3", tierHandle: "silver" }, progress(700))).toEqual({ from: "silver", to: "bronze", entryRewards: [] });
    expect(placementOf(noSilver, { id: "m3", tierHandle: "silver" }, progress(2000))).toMatchObject({ from: "silver", to: "gold" });
  });

  it("a hidden tier is kept unless progress reaches a higher visible tier; an empty ladder places nobody", () => {
    const withHidden = ladder([BASE[0]!, tier("vip", "100", { hidden: true }), tier("silver", "500"), BASE[2]!]);
    expect(placementOf(withHidden, { id: "m4", tierHandle: "vip" }, progress(0))).toBeNull();
    expect(placementOf(withHidden, { id: "m4", tierHandle: "vip" }, progress(600))).toMatchObject({ to: "silver" });
    expect(placementOf([], { id: "m4", tierHandle: null }, progress(600))).toBeNull();
  });
});
