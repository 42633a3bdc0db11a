/**
 * The Tiers page's notice while a save's re-placement of the members is owed or under way
 * (app/jobs/tier-placement.server.ts): "Updating members' tiers… (N of M)", refreshed from the page's
 * loader every few seconds until the run is done, then gone.
 */
import { useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { format } from "~/i18n/admin";
import { tierPlacementStrings } from "~/i18n/features/tier-placement";

export interface TierPlacementProgress {
  processed: number;
  total: number;
}

const POLL_MS = 4000;

export function TierPlacementBanner({ placement }: { placement: TierPlacementProgress | null }) {
  const { t, locale } = tierPlacementStrings.useStrings();
  const revalidator = useRevalidator();
  const busy = placement !== null;
  useEffect(() => {
    if (!busy) return;
    const timer = setTimeout(() => revalidator.revalidate(), POLL_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [busy, placement?.processed, revalidator.state]);
  if (!placement) return null;
  const numbers = new Intl.NumberFormat(locale);
  const percent = placement.total > 0 ? Math.round((100 * placement.processed) / placement.total) : 0;
  return (
    <Banner tone="info" title={t.title}>
      <BlockStack gap="200">
        <Text as="p">{t.body}</Text>
        <ProgressBar progress={percent} size="small" ariaLabelledBy="tier-placement-progress" />
        <Text as="p" id="tier-placement-progress" tone="subdued">
          {format(t.progress, { processed: numbers.format(placement.processed), total: numbers.format(placement.total) })}
        </Text>
      </BlockStack>
    </Banner>
  );
}
