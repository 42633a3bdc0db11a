/**
 * What the admin audit log records (app/loyalty/services/audit-log.server.ts writes it, /app/audit
 * shows it). Plain data, safe in the browser: the audit page's action filter and its labels
 * (app/i18n/features/audit.ts, a unit test checks every action has one) read this list, so a new
 * action is added here, once.
 */
export const AUDIT_ACTIONS = [
  "program.update",
  "reward.create",
  "reward.update",
  "reward.archive",
  "reward.unarchive",
  "member.adjust_points",
  "redemption.cancel",
  "expiry.update",
  "birthdays.update",
  "earn_actions.update",
  "integration_secret.rotate",
  "campaign.create",
  "campaign.update",
  "campaign.archive",
  "tiers.update", // the tier ladder and tier settings (app/routes/app.tiers.tsx)
  "member.change_tier", // staff moved a member to another tier (member page)
  "referrals.update", // referral settings (app/routes/app.referrals.tsx)
  "segments.update", // segment rules (app/routes/app.segments.tsx)
  "members.import", // a CSV import started (app/routes/app.import.tsx)
  "member.exclude", // staff excluded a member from the program (member page)
  "member.include", // staff re-included an excluded member
  "onboarding.complete_step", // staff marked a manual onboarding step done (dashboard checklist)
  "onboarding.dismiss", // staff hid the finished onboarding checklist
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_SUBJECT_TYPES = ["shop", "reward", "member", "redemption", "campaign", "import"] as const;

export type AuditSubjectType = (typeof AUDIT_SUBJECT_TYPES)[number];

export const isAuditAction = (value: string): value is AuditAction => (AUDIT_ACTIONS as readonly string[]).includes(value);

/** The audit log page's filters as URL parameters (app/routes/app.audit.tsx, its CSV export). */
export const AUDIT_FILTER_KEYS = ["action", "subjectType", "subjectId", "staffId", "from", "to"] as const;
