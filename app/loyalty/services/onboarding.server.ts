/**
 * The dashboard's onboarding checklist (docs/decisions/018): status from the shop's data plus the
 * manual marks staff made (each audited with the staff user), and dismissing it once complete.
 */
import db from "~/db.server";
import { env } from "~/env.server";
import {
  isManualStep,
  onboardingStatus,
  parseMarks,
  themeEditorEmbedUrl,
  withMark,
  type OnboardingStatus,
  type OnboardingStep,
} from "../onboarding";
import { writeAudit } from "./audit-log.server";
import { ensureShop } from "./shops.server";

export interface OnboardingView extends OnboardingStatus {
  /** Shown on the dashboard: until staff dismiss it (only possible once complete). */
  visible: boolean;
  dismissedAt: string | null;
  themeEditorUrl: string;
  storefrontUrl: string;
}

export class OnboardingError extends Error {
  constructor(
    readonly code: "not_manual" | "not_complete",
    message: string,
  ) {
    super(message);
    this.name = "OnboardingError";
  }
}

async function facts(shopId: string, programEnabled: boolean, marksJson: string | null) {
  const [rewardCount, programSaved] = await Promise.all([
    db.reward.count({ where: { shopId } }),
    db.auditLog.count({ where: { shopId, action: "program.update" } }),
  ]);
  return { programEnabled, programSaved: programSaved > 0, rewardCount, marks: parseMarks(marksJson) };
}

export async function onboardingFor(shopDomain: string): Promise<OnboardingView> {
  const shop = await ensureShop(shopDomain);
  const status = onboardingStatus(await facts(shop.id, shop.programEnabled, shop.onboardingSteps));
  return {
    ...status,
    visible: shop.onboardingDismissedAt === null,
    dismissedAt: shop.onboardingDismissedAt?.toISOString() ?? null,
    themeEditorUrl: themeEditorEmbedUrl(shop.domain, env().SHOPIFY_API_KEY),
    storefrontUrl: `https://${shop.domain}/`,
  };
}

/**
 * Staff mark a manual step done. Marking it again changes nothing (and writes no audit row); a step
 * the data decides cannot be marked. The mark and its audit row are one transaction.
 */
export async function markOnboardingStep(shopDomain: string, step: OnboardingStep, staffId: string | null, now = new Date()): Promise<OnboardingView> {
  if (!isManualStep(step)) throw new OnboardingError("not_manual", "This step is done from the shop's settings, not by hand");
  const shop = await ensureShop(shopDomain);
  await db.$transaction(async (tx) => {
    const current = await tx.shop.findUniqueOrThrow({ where: { id: shop.id }, select: { onboardingSteps: true } });
    const marks = parseMarks(current.onboardingSteps);
    const next = withMark(marks, step, { at: now.toISOString(), staffId });
    if (!next) return;
    // Compare-and-set on the JSON read: a concurrent mark of another step is not lost.
    const updated = await tx.shop.updateMany({
      where: { id: shop.id, onboardingSteps: current.onboardingSteps },
      data: { onboardingSteps: JSON.stringify(next) },
    });
    if (updated.count !== 1) throw new Error("onboarding steps changed concurrently; try again");
    await writeAudit(tx, { shopId: shop.id, staffId, action: "onboarding.complete_step", subjectType: "shop", subjectId: shop.id, before: { step, done: false }, after: { step, done: true } });
  });
  return onboardingFor(shopDomain);
}

/** Hides the checklist; only a complete checklist can be dismissed. */
export async function dismissOnboarding(shopDomain: string, staffId: string | null, now = new Date()): Promise<OnboardingView> {
  const view = await onboardingFor(shopDomain);
  if (!view.complete) throw new OnboardingError("not_complete", "Finish every step before hiding the checklist");
  if (!view.visible) return view;
  const shop = await ensureShop(shopDomain);
  await db.$transaction(async (tx) => {
    const updated = await tx.shop.updateMany({ where: { id: shop.id, onboardingDismissedAt: null }, data: { onboardingDismissedAt: now } });
    if (updated.count === 1) {
      await writeAudit(tx, { shopId: shop.id, staffId, action: "onboarding.dismiss", subjectType: "shop", subjectId: shop.id, before: { dismissed: false }, after: { dismissed: true } });
    }
  });
  return onboardingFor(shopDomain);
}
