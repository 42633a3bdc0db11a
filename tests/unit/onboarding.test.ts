import { describe, expect, it } from "vitest";
import { onboardingStatus, parseMarks, themeEditorEmbedUrl, withMark, type OnboardingFacts } from "~/loyalty/onboarding";

const none: OnboardingFacts = { programEnabled: false, programSaved: false, rewardCount: 0, marks: {} };

describe("onboarding checklist", () => {
  it("takes each step from the data where the data can tell", () => {
    expect(onboardingStatus(none)).toMatchObject({ doneCount: 0, complete: false });
    const status = onboardingStatus({ ...none, programEnabled: true, programSaved: true, rewardCount: 2 });
    expect(status.steps.map((step) => [step.id, step.done, step.source])).toEqual([
      ["program_on", true, "data"],
      ["points_rate", true, "data"],
      ["first_reward", true, "data"],
      ["app_embed", false, null],
      ["preview_widget", false, null],
    ]);
    expect(status.doneCount).toBe(3);
  });

  it("lets staff mark only the manual steps, once, and is complete when all five are done", () => {
    const mark = { at: "2026-03-01T00:00:00.000Z", staffId: "7" };
    expect(withMark({}, "first_reward", mark)).toBeNull();
    expect(withMark({}, "program_on", mark)).toBeNull();
    const marks = withMark(withMark(withMark({}, "points_rate", mark)!, "app_embed", mark)!, "preview_widget", mark)!;
    expect(withMark(marks, "app_embed", mark)).toBeNull();
    expect(onboardingStatus({ ...none, marks }).doneCount).toBe(3);
    const all = onboardingStatus({ ...none, programEnabled: true, rewardCount: 1, marks });
    expect(all).toMatchObject({ doneCount: 5, complete: true });
    expect(all.steps.find((step) => step.id === "points_rate")?.source).toBe("manual");
  });

  it("reads stored marks defensively: unknown steps, data steps and junk are ignored", () => {
    expect(parseMarks(null)).toEqual({});
    expect(parseMarks("not json")).toEqual({});
    expect(parseMarks("[1,2]")).toEqual({});
    expect(
      parseMarks(JSON.stringify({ app_embed: { at: "2026-03-01T00:00:00Z", staffId: 5 }, first_reward: { at: "x" }, other: { at: "y" }, preview_widget: {} })),
    ).toEqual({ app_embed: { at: "2026-03-01T00:00:00Z", staffId: null } });
  });

  it("deep-links the theme editor's app embeds with the launcher selected", () => {
    expect(themeEditorEmbedUrl("cool-shop.myshopify.com", "abc123")).toBe(
      "https://cool-shop.myshopify.com/admin/themes/current/editor?context=apps&activateAppId=abc123/launcher",
    );
    expect(() => themeEditorEmbedUrl("bad host/with path", "k")).toThrow();
  });
});
