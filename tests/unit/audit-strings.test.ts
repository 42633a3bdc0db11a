/**
 * Every audit action and subject type has a label in every admin language, so a new action added to
 * AUDIT_ACTIONS cannot show up on the audit log page unlabelled.
 */
import { describe, expect, it } from "vitest";
import { auditStrings } from "~/i18n/features/audit";
import { AUDIT_ACTIONS, AUDIT_SUBJECT_TYPES } from "~/loyalty/audit-actions";

describe("audit log labels", () => {
  it.each(["en", "ko"] as const)("%s labels every action and nothing else", (locale) => {
    const t = auditStrings.strings(locale);
    for (const action of AUDIT_ACTIONS) expect(t.actions[action]?.trim(), action).toBeTruthy();
    expect(Object.keys(t.actions).sort()).toEqual([...AUDIT_ACTIONS].sort());
  });

  it.each(["en", "ko"] as const)("%s labels every subject type", (locale) => {
    const t = auditStrings.strings(locale);
    for (const type of AUDIT_SUBJECT_TYPES) expect(t.subjects[type]?.trim(), type).toBeTruthy();
  });

  it("has distinct labels, so the action filter's choices can be told apart", () => {
    for (const locale of ["en", "ko"] as const) {
      const labels = AUDIT_ACTIONS.map((action) => auditStrings.strings(locale).actions[action]);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });
});
