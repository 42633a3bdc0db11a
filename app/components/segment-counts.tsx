/**
 * The dashboard's members-per-segment card: each segment's count links to the members list filtered
 * by it (docs/decisions/017-members-at-scale.md).
 */
import { BlockStack, Card, InlineGrid, Link, Text } from "@shopify/polaris";
import { segmentsStrings } from "~/i18n/features/segments";
import { SEGMENTS, type Segment } from "~/loyalty/segments";

export function SegmentCounts({ counts }: { counts: Record<Segment, number> }) {
  const { t, locale } = segmentsStrings.useStrings();
  const numbers = new Intl.NumberFormat(locale);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          <Link url="/app/segments" monochrome removeUnderline>
            {t.countsHeading}
          </Link>
        </Text>
        <InlineGrid columns={{ xs: 2, sm: 5 }} gap="300">
          {SEGMENTS.map((segment) => (
            <BlockStack key={segment} gap="100">
              <Text as="h3" variant="headingSm" tone="subdued">
                {t.segments[segment].title}
              </Text>
              <Link url={`/app/members?segment=${segment}`} removeUnderline>
                <Text as="span" variant="headingLg">
                  {numbers.format(counts[segment])}
                </Text>
              </Link>
            </BlockStack>
          ))}
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}
