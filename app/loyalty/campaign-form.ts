/**
 * The campaign editor's form values (shared by the page and campaigns-admin.server.ts, so the
 * browser bundle never imports server code). Wall times are shop-local "yyyy-mm-ddThh:mm".
 */
import type { CampaignKind } from "./campaigns";

export interface CampaignFormValues {
  name: string;
  startsAt: string;
  endsAt: string;
  kind: CampaignKind;
  value: string;
  minimumOrderAmount: string;
  /** Tier handles, comma-separated in the posted form. */
  targetTiers: string[];
  oncePerMember: boolean;
}

export const EMPTY_CAMPAIGN_FORM: CampaignFormValues = {
  name: "",
  startsAt: "",
  endsAt: "",
  kind: "multiplier",
  value: "2",
  minimumOrderAmount: "",
  targetTiers: [],
  oncePerMember: false,
};
