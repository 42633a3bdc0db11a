import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator, useSearchParams } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Button,
  Card,
  DataTable,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { TitleBar, useAppBridge } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { fieldErrors, formFields, staffIdOf, useFetcherResult, type FieldErrors } from "~/components/admin-forms";
import { format, useAdminStrings } from "~/i18n/admin";
import { auditStrings } from "~/i18n/features/audit";
import { birthdaysStrings } from "~/i18n/features/birthdays";
import { MemberReferralsCard } from "~/components/member-referrals-card";
import { MemberExclusionCard } from "~/components/member-exclusion-card";
import { MemberTierCard } from "~/components/member-tier-card";
import {
  AdjustPointsInput,
  adjustPoints,
  cancelMemberReward,
  ExcludeInput,
  memberDetail,
  setMemberExcluded,
} from "~/loyalty/services/members-admin.server";
import { ChangeTierInput, changeMemberTier, memberTiersPanel } from "~/loyalty/services/tiers-admin.server";
import { memberReferralsFor } from "~/loyalty/services/referrals-admin.server";
import { authenticate } from "~/shopify.server";
import { useServerMessages } from "~/i18n/server-messages";
import { formatDateTime } from "~/i18n/format";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const historyAfter = new URL(request.url).searchParams.get("history") ?? undefined;
  const member = await memberDetail(session.shop, params.memberId ?? "", { historyAfter });
  // Another shop's member id answers exactly like one that does not exist.
  if (!member) throw new Response("Not found", { status: 404 });
  const [tiers, referrals] = await Promise.all([
    memberTiersPanel(session.shop, params.memberId ?? ""),
    memberReferralsFor(session.shop, params.memberId ?? ""),
  ]);
  return { ...member, tiers, referrals };
}

type ActionResult =
  | { ok: true; intent: "adjust"; balance: number; alreadyApplied: boolean }
  | { ok: true; intent: "cancel"; refunded: number }
  | { ok: true; intent: "change_tier"; changed: boolean; tierHandle: string }
  | { ok: true; intent: "exclude" | "include"; changed: boolean }
  | { ok: false; errors: FieldErrors };

const CancelInput = z.object({ redemptionId: z.string().min(1).max(64) });

export async function action({ request, params }: ActionFunctionArgs) {
  const { session, sessionToken } = await authenticate.admin(request);
  const fields = formFields(await request.formData());
  const memberId = params.memberId ?? "";
  const staffId = staffIdOf(sessionToken);
  const fail = (errors: FieldErrors, status: number) => data<ActionResult>({ ok: false, errors }, { status });

  if (fields.intent === "adjust") {
    const parsed = AdjustPointsInput.safeParse(fields);
    if (!parsed.success) return fail(fieldErrors(parsed.error.issues), 400);
    const outcome = await adjustPoints(session.shop, memberId, parsed.data, staffId);
    if (outcome.ok) return data<ActionResult>({ ok: true, intent: "adjust", balance: outcome.balance, alreadyApplied: outcome.alreadyApplied });
    if (outcome.reason === "not_found") return fail({ form: "Member not found" }, 404);
    return fail({ delta: `The balance is ${outcome.balance} points: a member's points cannot go below zero.` }, 400);
  }

  if (fields.intent === "cancel") {
    const parsed = CancelInput.safeParse(fields);
    if (!parsed.success) return fail(fieldErrors(parsed.error.issues), 400);
    const outcome = await cancelMemberReward(session.shop, memberId, parsed.data.redemptionId, staffId);
    if (outcome.ok) return data<ActionResult>({ ok: true, intent: "cancel", refunded: outcome.refunded });
    return outcome.reason === "not_found"
      ? fail({ form: "Reward not found" }, 404)
      : fail({ form: `This reward is ${outcome.status ?? "not cancellable"}` }, 409);
  }

  if (fields.intent === "change_tier") {
    const parsed = ChangeTierInput.safeParse(fields);
    if (!parsed.success) return fail(fieldErrors(parsed.error.issues), 400);
    const outcome = await changeMemberTier(session.shop, memberId, parsed.data, staffId);
    if (!outcome.ok) return fail(outcome.errors, outcome.status);
    return data<ActionResult>({ ok: true, intent: "change_tier", changed: outcome.changed, tierHandle: outcome.tierHandle });
  }

  if (fields.intent === "exclude" || fields.intent === "include") {
    const parsed = ExcludeInput.safeParse(fields);
    if (!parsed.success) return fail(fieldErrors(parsed.error.issues), 400);
    const outcome = await setMemberExcluded(session.shop, memberId, fields.intent === "exclude", parsed.data.reason, staffId);
    if (!outcome.ok) throw new Response("Not found", { status: 404 });
    return data<ActionResult>({ ok: true, intent: fields.intent, changed: outcome.changed });
  }

  return fail({ form: "Unknown action" }, 400);
}

/** One id per adjustment form: a double submit carries the same id and adjusts once. */
const newRequestId = () => crypto.randomUUID();

export default function MemberPage() {
  const member = useLoaderData<typeof loader>();
  const { t, locale } = useAdminStrings();
  const messages = useServerMessages();
  const birthdayT = birthdaysStrings.strings(locale);
  const shopify = useAppBridge();
  const revalidator = useRevalidator();
  const [searchParams, setSearchParams] = useSearchParams();
  const adjust = useFetcher<ActionResult>();
  const cancel = useFetcher<ActionResult>();
  const [delta, setDelta] = useState("");
  const [reason, setReason] = useState("");
  // Made in the browser after hydration (a server-made id would differ from the client's first render).
  const [requestId, setRequestId] = useState("");
  useEffect(() => setRequestId(newRequestId()), []);
  const [errors, setErrors] = useState<FieldErrors>({});
  const numbers = new Intl.NumberFormat(locale);
  const mt = t.member;
  const name = member.erased ? t.members.erased : (member.name ?? member.email ?? t.members.noName);

  useFetcherResult(adjust, (result) => {
    if (!result.ok) {
      const errors = messages.errors(result.errors);
      setErrors(errors);
      shopify.toast.show(errors.delta ?? errors.form ?? t.common.fixErrors, { isError: true });
      return;
    }
    if (result.intent !== "adjust") return;
    setErrors({});
    setDelta("");
    setReason("");
    setRequestId(newRequestId()); // the next adjustment is a new request
    shopify.toast.show(format(mt.adjustedToast, { balance: numbers.format(result.balance) }));
  });
  useFetcherResult(cancel, (result) => {
    if (!result.ok) shopify.toast.show(messages.errors(result.errors).form ?? t.common.fixErrors, { isError: true });
    else if (result.intent === "cancel") shopify.toast.show(format(mt.cancelledToast, { count: result.refunded }));
    revalidator.revalidate();
  });

  return (
    <Page
      title={name}
      subtitle={member.email ?? undefined}
      backAction={{ content: t.members.title, url: "/app/members" }}
      secondaryActions={[{ content: auditStrings.strings(locale).viewForMember, url: `/app/audit?subjectType=member&subjectId=${encodeURIComponent(member.id)}` }]}
    >
      <TitleBar title={name} />
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <BlockStack gap="100">
                <Text as="h2" variant="headingSm" tone="subdued">
                  {mt.balance}
                </Text>
                <Text as="p" variant="heading2xl" id="member-balance">
                  {format(t.common.points, { count: numbers.format(member.balance) })}
                </Text>
                <Text as="p" tone="subdued">
                  {format(mt.joined, { date: new Date(member.enrolledAt).toLocaleDateString(locale) })}
                </Text>
                {member.birthday ? (
                  <Text as="p" tone="subdued" id="member-birthday">
                    {format(birthdayT.memberBirthday, {
                      date: new Date(Date.UTC(member.birthday.year ?? 2000, member.birthday.month - 1, member.birthday.day)).toLocaleDateString(locale, {
                        month: "long",
                        day: "numeric",
                        ...(member.birthday.year ? { year: "numeric" } : {}),
                        timeZone: "UTC",
                      }),
                    })}
                  </Text>
                ) : null}
              </BlockStack>
            </Card>
            <Card padding="0">
              <BlockStack>
                <div style={{ padding: "var(--p-space-400)" }}>
                  <Text as="h2" variant="headingMd">
                    {mt.history}
                  </Text>
                </div>
                {member.history.length === 0 ? (
                  <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
                    <Text as="p" tone="subdued">
                      {mt.historyEmpty}
                    </Text>
                  </div>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "numeric", "text"]}
                    headings={[mt.activity, mt.points, mt.when]}
                    rows={member.history.map((entry) => [
                      messages.message(entry.description),
                      entry.delta > 0 ? `+${entry.delta}` : String(entry.delta),
                      formatDateTime(entry.createdAt, locale),
                    ])}
                    pagination={{
                      hasPrevious: searchParams.has("history"),
                      hasNext: member.historyNextCursor !== null,
                      onPrevious: () => setSearchParams({}),
                      onNext: () => member.historyNextCursor && setSearchParams({ history: member.historyNextCursor }),
                    }}
                  />
                )}
              </BlockStack>
            </Card>
            <Card padding="0">
              <div style={{ padding: "var(--p-space-400)" }}>
                <Text as="h2" variant="headingMd">
                  {mt.rewardsHeading}
                </Text>
              </div>
              {member.redemptions.length === 0 ? (
                <div style={{ padding: "0 var(--p-space-400) var(--p-space-400)" }}>
                  <Text as="p" tone="subdued">
                    {mt.rewardsEmpty}
                  </Text>
                </div>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text", "text"]}
                  headings={[mt.reward, mt.code, mt.points, mt.status, ""]}
                  rows={member.redemptions.map((r) => [
                    r.rewardName,
                    r.code ?? "—",
                    String(r.pointsSpent),
                    <Badge key="status" tone={r.status === "issued" ? "info" : r.status === "used" ? "success" : undefined}>
                      {mt.statuses[r.status as keyof typeof mt.statuses] ?? r.status}
                    </Badge>,
                    r.cancellable ? (
                      <Button
                        key="cancel"
                        tone="critical"
                        variant="plain"
                        loading={cancel.state !== "idle" && cancel.formData?.get("redemptionId") === r.id}
                        onClick={() => cancel.submit({ intent: "cancel", redemptionId: r.id }, { method: "post" })}
                      >
                        {mt.cancel}
                      </Button>
                    ) : (
                      ""
                    ),
                  ])}
                />
              )}
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {member.tiers ? <MemberTierCard panel={member.tiers} /> : null}
            <MemberExclusionCard excludedAt={member.excludedAt} />
            <MemberReferralsCard referrals={member.referrals} />
            <Card>
              <adjust.Form method="post">
                <input type="hidden" name="intent" value="adjust" />
                <input type="hidden" name="requestId" value={requestId} />
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {mt.adjustHeading}
                  </Text>
                  <FormLayout>
                    <TextField
                      label={mt.adjustDelta}
                      name="delta"
                      inputMode="numeric"
                      autoComplete="off"
                      value={delta}
                      onChange={setDelta}
                      error={errors.delta}
                    />
                    <TextField
                      label={mt.adjustReason}
                      name="reason"
                      autoComplete="off"
                      value={reason}
                      onChange={setReason}
                      helpText={mt.adjustReasonHelp}
                      error={errors.reason}
                      maxLength={200}
                    />
                  </FormLayout>
                  <InlineStack align="end">
                    <Button submit variant="primary" loading={adjust.state !== "idle"}>
                      {mt.adjustSubmit}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </adjust.Form>
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
