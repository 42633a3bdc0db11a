-- Integer twins of OrderRecord's amounts and base points for the nightly tier progress
-- (docs/decisions/012, last addendum). Null is always safe (the statement then reads the text), so
-- the backfill fills exactly what the progress statement itself would read from the text — the same
-- expressions as app/loyalty/services/tiers.server.ts (SqlDialect) — and leaves the rest null.

-- AlterTable
ALTER TABLE "OrderRecord" ADD COLUMN     "basePoints" INTEGER,
ADD COLUMN     "eligibleMicros" BIGINT,
ADD COLUMN     "refundedMicros" BIGINT;

-- Backfill
UPDATE "OrderRecord" SET
  "eligibleMicros" = (CASE WHEN COALESCE("eligibleAmount", '0') ~ '^[0-9]{1,11}([.][0-9]{1,6})?$' THEN CAST(CAST(COALESCE("eligibleAmount", '0') AS NUMERIC) * 1000000 AS BIGINT) END),
  "refundedMicros" = (CASE WHEN "refundedAmount" ~ '^[0-9]{1,11}([.][0-9]{1,6})?$' THEN CAST(CAST("refundedAmount" AS NUMERIC) * 1000000 AS BIGINT) END),
  "basePoints" = (CASE WHEN (CASE WHEN "rule" IS NULL THEN CAST("pointsAwarded" AS BIGINT) WHEN strpos("rule", '\') > 0 OR "rule" !~ '^[{]("[A-Za-z0-9_]+":("[^"[:cntrl:]]*"|-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]{1,3})?|true|false|null)(,"[A-Za-z0-9_]+":("[^"[:cntrl:]]*"|-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]{1,3})?|true|false|null))*)?[}]$' THEN NULL WHEN jsonb_typeof(CAST("rule" AS JSONB) -> 'basePoints') = 'number' THEN (CASE WHEN (CAST("rule" AS JSONB) ->> 'basePoints') ~ '^[0-9]{1,9}$' THEN CAST(CAST("rule" AS JSONB) ->> 'basePoints' AS BIGINT) END) ELSE CAST("pointsAwarded" AS BIGINT) END) BETWEEN 0 AND 999999999 THEN (CASE WHEN "rule" IS NULL THEN CAST("pointsAwarded" AS BIGINT) WHEN strpos("rule", '\') > 0 OR "rule" !~ '^[{]("[A-Za-z0-9_]+":("[^"[:cntrl:]]*"|-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]{1,3})?|true|false|null)(,"[A-Za-z0-9_]+":("[^"[:cntrl:]]*"|-?(0|[1-9][0-9]*)([.][0-9]+)?([eE][+-]?[0-9]{1,3})?|true|false|null))*)?[}]$' THEN NULL WHEN jsonb_typeof(CAST("rule" AS JSONB) -> 'basePoints') = 'number' THEN (CASE WHEN (CAST("rule" AS JSONB) ->> 'basePoints') ~ '^[0-9]{1,9}$' THEN CAST(CAST("rule" AS JSONB) ->> 'basePoints' AS BIGINT) END) ELSE CAST("pointsAwarded" AS BIGINT) END) END);
