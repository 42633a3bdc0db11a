/**
 * Analytics maths (docs/decisions/018), pure: date ranges with their previous period, the daily
 * figures summed over a range, the KPIs and their change against the previous period, the points
 * liability in shop currency, and a distinct-count sketch so "active members" over any range comes
 * from daily rows without reading the ledger. Money is exact: bigint micros (money.ts).
 */
import { fromMicros, toMicros, type Micros } from "./money";
import { addDays, addMonths, daysBetween, isLocalDate, type LocalDate } from "./schedule";

// ---------------------------------------------------------------------------------------------
// Date ranges

export const RANGE_PRESETS = ["last_7_days", "last_30_days", "last_90_days", "last_12_months", "month_to_date", "year_to_date"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const DEFAULT_PRESET: RangePreset = "last_30_days";
/** A custom range may span at most this many days (two years of daily rows plus the previous period). */
export const MAX_RANGE_DAYS = 731;

export interface DayRange {
  from: LocalDate;
  to: LocalDate; // inclusive
}

export interface ResolvedRange extends DayRange {
  preset: RangePreset | "custom";
  days: number;
  previous: DayRange;
}

export class InvalidRangeError extends Error {
  constructor(
    readonly field: "from" | "to" | "preset",
    message: string,
  ) {
    super(message);
    this.name = "InvalidRangeError";
  }
}

/** The range a preset names on the shop-local day `today` (today included). */
export function presetRange(preset: RangePreset, today: LocalDate): DayRange {
  switch (preset) {
    case "last_7_days":
      return { from: addDays(today, -6), to: today };
    case "last_30_days":
      return { from: addDays(today, -29), to: today };
    case "last_90_days":
      return { from: addDays(today, -89), to: today };
    case "last_12_months":
      return { from: addDays(addMonths(today, -12), 1), to: today };
    case "month_to_date":
      return { from: `${today.slice(0, 8)}01`, to: today };
    case "year_to_date":
      return { from: `${today.slice(0, 5)}01-01`, to: today };
  }
}

/** The period of the same length that ends the day before `range` starts. */
export function previousPeriod(range: DayRange): DayRange {
  const days = daysBetween(range.from, range.to) + 1;
  return { from: addDays(range.from, -days), to: addDays(range.from, -1) };
}

/**
 * A preset, or a custom `from`..`to` (both shop-local yyyy-mm-dd, inclusive): `to` not after today,
 * `from` not after `to`, at most MAX_RANGE_DAYS days. Errors name the field.
 */
export function resolveRange(input: { preset?: string | null; from?: string | null; to?: string | null }, today: LocalDate): ResolvedRange {
  const custom = input.preset === "custom" || ((input.preset ?? "") === "" && (input.from || input.to));
  let range: DayRange;
  let preset: ResolvedRange["preset"];
  if (custom) {
    const from = input.from ?? "";
    const to = input.to ?? "";
    if (!isLocalDate(from)) throw new InvalidRangeError("from", "Enter a start date as YYYY-MM-DD");
    if (!isLocalDate(to)) throw new InvalidRangeError("to", "Enter an end date as YYYY-MM-DD");
    if (daysBetween(to, today) < 0) throw new InvalidRangeError("to", "The end date cannot be in the future");
    if (daysBetween(from, to) < 0) throw new InvalidRangeError("from", "The start date must be on or before the end date");
    if (daysBetween(from, to) + 1 > MAX_RANGE_DAYS) throw new InvalidRangeError("from", `A range can span at most ${MAX_RANGE_DAYS} days`);
    range = { from, to };
    preset = "custom";
  } else {
    const name = (input.preset ?? "") === "" ? DEFAULT_PRESET : input.preset;
    if (!RANGE_PRESETS.includes(name as RangePreset)) throw new InvalidRangeError("preset", "Choose one of the listed date ranges");
    preset = name as RangePreset;
    range = presetRange(preset, today);
  }
  return { ...range, preset, days: daysBetween(range.from, range.to) + 1, previous: previousPeriod(range) };
}

/** Every day of a range, oldest first. */
export function daysOf(range: DayRange): LocalDate[] {
  const count = daysBetween(range.from, range.to) + 1;
  return Array.from({ length: Math.max(0, count) }, (_, index) => addDays(range.from, index));
}

// ---------------------------------------------------------------------------------------------
// Distinct members over a range: a small sketch per day, merged over the range.
// Exact (a sorted list of 32-bit hashes) up to SKETCH_EXACT_LIMIT members, then HyperLogLog with
// 2^11 registers (standard error ≈ 2.3 %). Stored as text: "s:<base64 u32 list>" or "r:<base64 registers>".

const REGISTER_BITS = 11;
const REGISTERS = 1 << REGISTER_BITS;
export const SKETCH_EXACT_LIMIT = 512;

export type Sketch = { kind: "set"; hashes: Set<number> } | { kind: "hll"; registers: Uint8Array };

/** FNV-1a over UTF-16 code units, then murmur3's finaliser so every bit is well mixed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function emptySketch(): Sketch {
  return { kind: "set", hashes: new Set() };
}

function addHashToRegisters(registers: Uint8Array, hash: number): void {
  const index = hash >>> (32 - REGISTER_BITS);
  const rest = (hash << REGISTER_BITS) >>> 0;
  const rank = rest === 0 ? 32 - REGISTER_BITS + 1 : Math.clz32(rest) + 1;
  if (rank > (registers[index] ?? 0)) registers[index] = rank;
}

function toRegisters(hashes: Iterable<number>): Uint8Array {
  const registers = new Uint8Array(REGISTERS);
  for (const hash of hashes) addHashToRegisters(registers, hash);
  return registers;
}

function addHash(sketch: Sketch, hash: number): Sketch {
  if (sketch.kind === "hll") {
    addHashToRegisters(sketch.registers, hash);
    return sketch;
  }
  sketch.hashes.add(hash);
  return sketch.hashes.size > SKETCH_EXACT_LIMIT ? { kind: "hll", registers: toRegisters(sketch.hashes) } : sketch;
}

export function sketchOf(ids: Iterable<string>): Sketch {
  let sketch = emptySketch();
  for (const id of ids) sketch = addHash(sketch, hash32(id));
  return sketch;
}

/** The union of two sketches (neither is changed). */
export function mergeSketches(a: Sketch, b: Sketch): Sketch {
  if (a.kind === "set" && b.kind === "set") {
    let merged: Sketch = { kind: "set", hashes: new Set(a.hashes) };
    for (const hash of b.hashes) merged = addHash(merged, hash);
    return merged;
  }
  const registers = a.kind === "hll" ? new Uint8Array(a.registers) : toRegisters(a.hashes);
  if (b.kind === "hll") {
    for (let i = 0; i < REGISTERS; i += 1) registers[i] = Math.max(registers[i] ?? 0, b.registers[i] ?? 0);
  } else {
    for (const hash of b.hashes) addHashToRegisters(registers, hash);
  }
  return { kind: "hll", registers };
}

/**
 * Adds `b` into `into` (which the caller owns and may be changed) and returns the union: the same
 * result as mergeSketches without copying the registers for every day of a long range.
 */
function mergeInto(into: Sketch, b: Sketch): Sketch {
  if (into.kind === "set" && b.kind === "set") {
    let merged: Sketch = into;
    for (const hash of b.hashes) merged = addHash(merged, hash);
    return merged;
  }
  const registers = into.kind === "hll" ? into.registers : toRegisters(into.hashes);
  if (b.kind === "hll") {
    const other = b.registers;
    for (let i = 0; i < REGISTERS; i += 1) if (other[i]! > registers[i]!) registers[i] = other[i]!;
  } else {
    for (const hash of b.hashes) addHashToRegisters(registers, hash);
  }
  return into.kind === "hll" ? into : { kind: "hll", registers };
}

/** How many distinct ids went into the sketch: exact for a set, the HyperLogLog estimate after. */
export function sketchCount(sketch: Sketch): number {
  if (sketch.kind === "set") return sketch.hashes.size;
  let sum = 0;
  let zeros = 0;
  for (const register of sketch.registers) {
    sum += 2 ** -register;
    if (register === 0) zeros += 1;
  }
  const alpha = 0.7213 / (1 + 1.079 / REGISTERS);
  const estimate = (alpha * REGISTERS * REGISTERS) / sum;
  if (estimate <= 2.5 * REGISTERS && zeros > 0) return Math.round(REGISTERS * Math.log(REGISTERS / zeros));
  return Math.round(estimate);
}

export function encodeSketch(sketch: Sketch): string {
  if (sketch.kind === "hll") return `r:${Buffer.from(sketch.registers).toString("base64")}`;
  const sorted = Uint32Array.from([...sketch.hashes].sort((x, y) => x - y));
  return `s:${Buffer.from(sorted.buffer, sorted.byteOffset, sorted.byteLength).toString("base64")}`;
}

export function decodeSketch(text: string): Sketch {
  const bytes = Buffer.from(text.slice(2), "base64");
  if (text.startsWith("r:") && bytes.length === REGISTERS) return { kind: "hll", registers: new Uint8Array(bytes) };
  if (text.startsWith("s:") && bytes.length % 4 === 0) {
    const hashes = new Set<number>();
    for (let offset = 0; offset < bytes.length; offset += 4) hashes.add(bytes.readUInt32LE(offset));
    return { kind: "set", hashes };
  }
  throw new Error("not an activity sketch");
}

// ---------------------------------------------------------------------------------------------
// Daily figures and their sums

export interface RewardCount {
  rewardId: string;
  name: string;
  count: number;
  points: number;
}

/** One day's figures as the roll-up computes them (a DailyStat row, money as micros). */
export interface DayFigures {
  day: LocalDate;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsExpired: number;
  pointsReversed: number;
  netPoints: number;
  newMembers: number;
  activeMembers: number;
  activeSketch: Sketch;
  memberOrders: number;
  memberRevenue: Micros;
  memberRepeatOrders: number;
  otherOrders: number;
  otherRevenue: Micros;
  otherRepeatOrders: number;
  redemptions: number;
  rewardCounts: RewardCount[];
}

export type FigureTotals = Omit<DayFigures, "day" | "activeMembers"> & { activeMembers: number; days: number };

export function zeroFigures(day: LocalDate): DayFigures {
  return {
    day,
    pointsIssued: 0,
    pointsRedeemed: 0,
    pointsExpired: 0,
    pointsReversed: 0,
    netPoints: 0,
    newMembers: 0,
    activeMembers: 0,
    activeSketch: emptySketch(),
    memberOrders: 0,
    memberRevenue: 0n,
    memberRepeatOrders: 0,
    otherOrders: 0,
    otherRevenue: 0n,
    otherRepeatOrders: 0,
    redemptions: 0,
    rewardCounts: [],
  };
}

/** Counts per reward summed over days, most redeemed first (ties: more points, then name). */
export function mergeRewardCounts(lists: readonly (readonly RewardCount[])[]): RewardCount[] {
  const byId = new Map<string, RewardCount>();
  for (const list of lists) {
    for (const item of list) {
      const seen = byId.get(item.rewardId);
      if (seen) {
        seen.count += item.count;
        seen.points += item.points;
        seen.name = item.name;
      } else byId.set(item.rewardId, { ...item });
    }
  }
  return [...byId.values()].sort((a, b) => b.count - a.count || b.points - a.points || a.name.localeCompare(b.name));
}

/** The range's totals; active members are the distinct members over the whole range (sketch union). */
export function sumFigures(days: readonly DayFigures[]): FigureTotals {
  let sketch = emptySketch();
  const totals: FigureTotals = { ...zeroFigures(""), days: days.length, activeSketch: sketch };
  for (const day of days) {
    totals.pointsIssued += day.pointsIssued;
    totals.pointsRedeemed += day.pointsRedeemed;
    totals.pointsExpired += day.pointsExpired;
    totals.pointsReversed += day.pointsReversed;
    totals.netPoints += day.netPoints;
    totals.newMembers += day.newMembers;
    totals.memberOrders += day.memberOrders;
    totals.memberRevenue += day.memberRevenue;
    totals.memberRepeatOrders += day.memberRepeatOrders;
    totals.otherOrders += day.otherOrders;
    totals.otherRevenue += day.otherRevenue;
    totals.otherRepeatOrders += day.otherRepeatOrders;
    totals.redemptions += day.redemptions;
    sketch = mergeInto(sketch, day.activeSketch);
  }
  totals.activeSketch = sketch;
  // One day's exact count is kept on the row; a longer range counts the union.
  totals.activeMembers = days.length === 1 ? (days[0]?.activeMembers ?? 0) : sketchCount(sketch);
  totals.rewardCounts = mergeRewardCounts(days.map((day) => day.rewardCounts));
  return totals;
}

// ---------------------------------------------------------------------------------------------
// KPIs

/** part / whole as a fraction, or null when there is nothing to divide by. */
export function ratio(part: number | bigint, whole: number | bigint): number | null {
  if (typeof whole === "bigint") return whole === 0n ? null : Number((BigInt(part) * 1_000_000n) / whole) / 1_000_000;
  return whole === 0 ? null : Number(part) / whole;
}

/** Relative change from `previous` to `current` (0.25 = +25 %); null when previous is 0. */
export function change(current: number, previous: number): number | null {
  if (previous === 0) return current === 0 ? 0 : null;
  return (current - previous) / Math.abs(previous);
}

export interface PointValue {
  rewardId: string;
  rewardName: string;
  /** Shop currency per `points` points, in micros. */
  amount: Micros;
  points: number;
}

export interface RewardForValue {
  id: string;
  name: string;
  kind: string;
  pointsCost: number;
  amount: string | null;
  pointsPerStep: number | null;
  amountPerStep: string | null;
}

/**
 * What one point is worth for the liability: the active money-valued reward (amount off, sliding
 * scale) with the lowest points cost, i.e. the one members reach first. Percent-off, free shipping
 * and free products have no fixed value and are not used. Null when no such reward exists.
 */
export function pointValueOf(rewards: readonly RewardForValue[]): PointValue | null {
  let best: PointValue | null = null;
  for (const reward of rewards) {
    let value: PointValue | null = null;
    if (reward.kind === "amount_off" && reward.amount && reward.pointsCost > 0) {
      value = { rewardId: reward.id, rewardName: reward.name, amount: toMicros(reward.amount), points: reward.pointsCost };
    } else if (reward.kind === "sliding_scale" && reward.amountPerStep && (reward.pointsPerStep ?? 0) > 0) {
      value = { rewardId: reward.id, rewardName: reward.name, amount: toMicros(reward.amountPerStep), points: reward.pointsPerStep ?? 0 };
    }
    if (value && (!best || value.points < best.points || (value.points === best.points && value.amount * BigInt(best.points) < best.amount * BigInt(value.points)))) {
      best = value;
    }
  }
  return best;
}

/** Outstanding points × value per point, exact, floored to the micro. */
export function liabilityMicros(outstandingPoints: number, value: PointValue | null): Micros | null {
  if (!value) return null;
  return (BigInt(Math.max(0, outstandingPoints)) * value.amount) / BigInt(value.points);
}

/** PointValue with the amount as decimal text (what the page receives). */
export type PointValueText = Omit<PointValue, "amount"> & { amount: string };

export interface Lifetime {
  /** Members enrolled up to the end of the range. */
  members: number;
  /** Member revenue up to the end of the range. */
  memberRevenue: Micros;
  /** Points outstanding at the end of the range (sum of every delta up to then). */
  outstandingPoints: number;
}

export interface Kpi {
  current: number | null;
  previous: number | null;
  change: number | null;
}

export interface MoneyKpi {
  current: string;
  previous: string;
  change: number | null;
}

export interface Kpis {
  newMembers: Kpi;
  activeMembers: Kpi;
  pointsIssued: Kpi;
  pointsRedeemed: Kpi;
  pointsExpired: Kpi;
  redemptionRate: Kpi;
  memberRevenue: MoneyKpi;
  otherRevenue: MoneyKpi;
  memberShareOfRevenue: Kpi;
  memberRepeatRate: Kpi;
  otherRepeatRate: Kpi;
  averageLifetimeValue: MoneyKpi;
  outstandingPoints: Kpi;
  liability: { current: string | null; previous: string | null; change: number | null; pointValue: PointValueText | null };
  totalMembers: Kpi;
}

function kpi(current: number | null, previous: number | null): Kpi {
  return { current, previous, change: current === null || previous === null ? null : change(current, previous) };
}

function moneyKpi(current: Micros, previous: Micros): MoneyKpi {
  return { current: fromMicros(current), previous: fromMicros(previous), change: change(Number(current), Number(previous)) };
}

/** Average member lifetime value: member revenue to date / members to date (micros, floored). */
export function averageLifetimeValue(lifetime: Lifetime): Micros {
  return lifetime.members === 0 ? 0n : lifetime.memberRevenue / BigInt(lifetime.members);
}

/**
 * Redemption rate = points redeemed / points issued in the period. Repeat-purchase rate = orders
 * from customers who had paid an earlier order / all orders, for members and for everyone else.
 */
export function computeKpis(
  current: FigureTotals,
  previous: FigureTotals,
  lifetime: { current: Lifetime; previous: Lifetime },
  pointValue: PointValue | null,
): Kpis {
  const liabilityNow = liabilityMicros(lifetime.current.outstandingPoints, pointValue);
  const liabilityBefore = liabilityMicros(lifetime.previous.outstandingPoints, pointValue);
  return {
    newMembers: kpi(current.newMembers, previous.newMembers),
    activeMembers: kpi(current.activeMembers, previous.activeMembers),
    pointsIssued: kpi(current.pointsIssued, previous.pointsIssued),
    pointsRedeemed: kpi(current.pointsRedeemed, previous.pointsRedeemed),
    pointsExpired: kpi(current.pointsExpired, previous.pointsExpired),
    redemptionRate: kpi(ratio(current.pointsRedeemed, current.pointsIssued), ratio(previous.pointsRedeemed, previous.pointsIssued)),
    memberRevenue: moneyKpi(current.memberRevenue, previous.memberRevenue),
    otherRevenue: moneyKpi(current.otherRevenue, previous.otherRevenue),
    memberShareOfRevenue: kpi(
      ratio(current.memberRevenue, current.memberRevenue + current.otherRevenue),
      ratio(previous.memberRevenue, previous.memberRevenue + previous.otherRevenue),
    ),
    memberRepeatRate: kpi(ratio(current.memberRepeatOrders, current.memberOrders), ratio(previous.memberRepeatOrders, previous.memberOrders)),
    otherRepeatRate: kpi(ratio(current.otherRepeatOrders, current.otherOrders), ratio(previous.otherRepeatOrders, previous.otherOrders)),
    averageLifetimeValue: moneyKpi(averageLifetimeValue(lifetime.current), averageLifetimeValue(lifetime.previous)),
    outstandingPoints: kpi(lifetime.current.outstandingPoints, lifetime.previous.outstandingPoints),
    liability: {
      current: liabilityNow === null ? null : fromMicros(liabilityNow),
      previous: liabilityBefore === null ? null : fromMicros(liabilityBefore),
      change: liabilityNow === null || liabilityBefore === null ? null : change(Number(liabilityNow), Number(liabilityBefore)),
      pointValue: pointValue ? { ...pointValue, amount: fromMicros(pointValue.amount) } : null,
    },
    totalMembers: kpi(lifetime.current.members, lifetime.previous.members),
  };
}

// ---------------------------------------------------------------------------------------------
// Ledger classification (the roll-up sums deltas by kind and sign)

/**
 * Which figure a ledger delta counts towards. Restored and cancelled redemptions give points back
 * and so reduce "redeemed"; every other credit is "issued"; expiry debits are "expired"; every other
 * debit (refund/cancel reversals, staff debits) is "reversed". issued − redeemed − expired −
 * reversed = net, always.
 */
export function classifyDelta(kind: string, delta: number): "issued" | "redeemed" | "expired" | "reversed" | null {
  if (delta === 0) return null;
  if (kind === "redemption" || kind === "redemption_restore" || kind === "redemption_cancel") return "redeemed";
  if (delta > 0) return "issued";
  return kind === "expiry" ? "expired" : "reversed";
}

export function addDelta(figures: DayFigures, kind: string, delta: number): void {
  const bucket = classifyDelta(kind, delta);
  figures.netPoints += delta;
  if (bucket === "issued") figures.pointsIssued += delta;
  else if (bucket === "redeemed") figures.pointsRedeemed -= delta;
  else if (bucket === "expired") figures.pointsExpired -= delta;
  else if (bucket === "reversed") figures.pointsReversed -= delta;
}

/** An order's revenue: its merchandise amount less what refunds took back, never below zero. */
export function orderRevenue(eligibleAmount: string | null, refundedAmount: string | null): Micros {
  const revenue = toMicros(eligibleAmount ?? "0") - toMicros(refundedAmount ?? "0");
  return revenue > 0n ? revenue : 0n;
}
