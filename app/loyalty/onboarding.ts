/**
 * The dashboard's onboarding checklist (docs/decisions/018), pure: which steps are done, from the
 * shop's data where the data can tell and from staff's manual marks where it cannot, and the theme
 * editor deep link that opens the app embeds panel with Keepsake's launcher pre-selected.
 */

export const ONBOARDING_STEPS = ["program_on", "points_rate", "first_reward", "app_embed", "preview_widget"] as const;
export type OnboardingStep = (typeof ONBOARDING_STEPS)[number];

/**
 * Steps staff may mark done by hand: the points rate can be reviewed and kept as it is; Shopify's
 * API does not say whether an app embed is on (without reading the theme's settings_data.json); a
 * preview happens in the shopper's browser. The other steps are facts in our own tables.
 */
export const MANUAL_STEPS: readonly OnboardingStep[] = ["points_rate", "app_embed", "preview_widget"];

export interface ManualMark {
  at: string; // ISO instant
  staffId: string | null;
}

export type ManualMarks = Partial<Record<OnboardingStep, ManualMark>>;

export interface OnboardingFacts {
  programEnabled: boolean;
  /** Staff saved the program settings at least once (audit log program.update). */
  programSaved: boolean;
  rewardCount: number;
  marks: ManualMarks;
}

export interface StepStatus {
  id: OnboardingStep;
  done: boolean;
  /** How we know: from the shop's data, or staff marked it. */
  source: "data" | "manual" | null;
  manual: boolean;
}

export interface OnboardingStatus {
  steps: StepStatus[];
  doneCount: number;
  complete: boolean;
}

export function isOnboardingStep(value: string): value is OnboardingStep {
  return (ONBOARDING_STEPS as readonly string[]).includes(value);
}

export function isManualStep(step: OnboardingStep): boolean {
  return MANUAL_STEPS.includes(step);
}

/** The stored marks (Shop.onboardingSteps JSON); anything unreadable counts as no marks. */
export function parseMarks(json: string | null): ManualMarks {
  if (!json) return {};
  try {
    const value = JSON.parse(json) as unknown;
    if (!value || typeof value !== "object" || Array.isArray(value)) return {};
    const marks: ManualMarks = {};
    for (const [key, mark] of Object.entries(value as Record<string, unknown>)) {
      if (!isOnboardingStep(key) || !isManualStep(key) || !mark || typeof mark !== "object") continue;
      const { at, staffId } = mark as { at?: unknown; staffId?: unknown };
      if (typeof at !== "string") continue;
      marks[key] = { at, staffId: typeof staffId === "string" ? staffId : null };
    }
    return marks;
  } catch {
    return {};
  }
}

function fromData(step: OnboardingStep, facts: OnboardingFacts): boolean {
  switch (step) {
    case "program_on":
      return facts.programEnabled;
    case "points_rate":
      return facts.programSaved;
    case "first_reward":
      return facts.rewardCount > 0;
    case "app_embed":
    case "preview_widget":
      return false;
  }
}

export function onboardingStatus(facts: OnboardingFacts): OnboardingStatus {
  const steps = ONBOARDING_STEPS.map((id): StepStatus => {
    const data = fromData(id, facts);
    const marked = isManualStep(id) && facts.marks[id] !== undefined;
    return { id, done: data || marked, source: data ? "data" : marked ? "manual" : null, manual: isManualStep(id) };
  });
  const doneCount = steps.filter((step) => step.done).length;
  return { steps, doneCount, complete: doneCount === steps.length };
}

/** Adds a manual mark; null when the step cannot be marked by hand or already is. */
export function withMark(marks: ManualMarks, step: OnboardingStep, mark: ManualMark): ManualMarks | null {
  if (!isManualStep(step) || marks[step]) return null;
  return { ...marks, [step]: mark };
}

/** The launcher app embed's handle: its file name in extensions/keepsake-theme/blocks/. */
export const LAUNCHER_EMBED_HANDLE = "launcher";

/**
 * Opens the live theme's editor on the App embeds panel with the embed selected, ready to turn on:
 * https://<shop>/admin/themes/current/editor?context=apps&activateAppId=<api key>/<embed handle>
 */
export function themeEditorEmbedUrl(shopDomain: string, apiKey: string, handle = LAUNCHER_EMBED_HANDLE): string {
  const host = new URL(`https://${shopDomain}`).host; // throws on anything that is not a host name
  return `https://${host}/admin/themes/current/editor?context=apps&activateAppId=${encodeURIComponent(apiKey)}/${encodeURIComponent(handle)}`;
}

/**
 * Opens the live theme's editor on `template` with the app block being added in a new Apps section:
 * https://<shop>/admin/themes/current/editor?template=<template>&addAppBlockId=<api key>/<block handle>&target=newAppsSection
 */
export function themeEditorAppBlockUrl(shopDomain: string, apiKey: string, handle: string, template: "product" | "page" | "index"): string {
  const host = new URL(`https://${shopDomain}`).host;
  return `https://${host}/admin/themes/current/editor?template=${template}&addAppBlockId=${encodeURIComponent(apiKey)}/${encodeURIComponent(handle)}&target=newAppsSection`;
}
