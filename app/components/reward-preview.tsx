/**
 * What the shopper sees of a reward in the storefront widget (name, cost, value), computed from the
 * form as the merchant types, before anything is saved.
 */
import { BlockStack, Card, Text } from "@shopify/polaris";
import { format, type AdminStrings } from "~/i18n/admin";
import type { RewardFormValues } from "~/loyalty/reward-form";

export function rewardValueText(t: AdminStrings, form: RewardFormValues, currency: string): string {
  const v = t.reward.previewValue;
  const blank = (value: string) => value.trim() || "…";
  switch (form.kind) {
    case "amount_off":
      return format(v.amount_off, { amount: blank(form.amount), currency });
    case "percent_off":
      return format(v.percent_off, { percentage: blank(form.percentage) });
    case "free_shipping":
      return v.free_shipping;
    case "free_product":
      return v.free_product;
    case "sliding_scale":
      return format(v.sliding_scale, {
        amount: blank(form.amountPerStep),
        currency,
        points: blank(form.pointsPerStep),
        min: blank(form.minPoints),
        max: blank(form.maxPoints),
      });
    case "donation":
      return format(v.donation, { cause: blank(form.donationCause) });
  }
}

export function rewardCostText(t: AdminStrings, form: RewardFormValues): string {
  if (form.kind === "sliding_scale") return `${form.minPoints || "…"}–${format(t.common.points, { count: form.maxPoints || "…" })}`;
  return format(t.common.points, { count: form.pointsCost || "…" });
}

export function RewardPreview({ t, form, currency }: { t: AdminStrings; form: RewardFormValues; currency: string }) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingSm" tone="subdued">
          {t.reward.previewHeading}
        </Text>
        <div data-testid="reward-preview">
          <BlockStack gap="100">
            <Text as="p" variant="headingMd">
              {form.name.trim() || "…"}
            </Text>
            <Text as="p">{rewardValueText(t, form, currency)}</Text>
            <Text as="p" tone="subdued">
              {rewardCostText(t, form)}
            </Text>
          </BlockStack>
        </div>
      </BlockStack>
    </Card>
  );
}
