/**
 * The Admin GraphQL API stand-in (API version 2026-07).
 *
 * Why: nothing here reaches Shopify, yet every document the app sends must be one Shopify would accept. The
 * stand-in validates each document against Shopify's own published 2026-07 schema (committed next to this file as
 * an introspection result: admin-schema.2026-07.json.gz) and answers like Shopify does:
 * - HTTP 200 + `{ errors }` for documents that fail to parse/validate (Shopify never uses 4xx for those);
 * - HTTP 200 + `{ data, extensions: { cost } }` on success, data shaped by the schema (@graphql-tools/mock store) with
 *   deterministic defaults, per-type overrides (`mocks`) and per-root-field handlers (`queries`, `mutations`);
 * - query cost + a leaky bucket (2000 points, 100/s restore) → HTTP 200 + `errors: [{ message: "Throttled",
 *   extensions: { code: "THROTTLED" } }]` when exhausted, or on demand with `throttleNext()`;
 * - HTTP 401 without a (valid) `X-Shopify-Access-Token`; 5xx on demand with `failNext()`;
 * - `X-Shopify-API-Deprecated-Reason` header when a deprecated field is selected;
 * - code discounts and metafields (metafieldsSet / metafieldsDelete / currentAppInstallation) kept in memory with
 *   Shopify's rules for them, so tests read what the app wrote.
 * It records every request for assertions. It is independent of app code.
 *
 * Not reproduced: Shopify's exact validation messages/codes (graphql-js wording instead), exact cost figures
 * (documented formula, approximated), access-scope checks (the schema file has them under `offline_scopes` if a
 * test ever needs them).
 */
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { createMockStore, isRef, type IMocks, type IMockStore } from "@graphql-tools/mock";
import type * as GraphQLModule from "graphql";
import type {
  DocumentNode,
  FieldNode,
  FormattedExecutionResult,
  FragmentDefinitionNode,
  GraphQLCompositeType,
  GraphQLError as GraphQLErrorType,
  GraphQLFieldResolver,
  GraphQLSchema,
  GraphQLTypeResolver,
  IntrospectionQuery,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from "graphql";

/**
 * `graphql` refuses objects built by another copy of itself ("Cannot use GraphQLSchema from another module or
 * realm"). Under vitest, a plain `import "graphql"` resolves to its ESM build (index.mjs) while @graphql-tools/mock,
 * loaded by Node, gets the CommonJS build: two copies. Loading it through Node's `require` gives this module the
 * same copy as the mock store, under vitest and tsx alike.
 */
const graphql = createRequire(import.meta.url)("graphql") as typeof GraphQLModule;
const {
  buildClientSchema,
  defaultFieldResolver,
  execute,
  getNamedType,
  GraphQLError,
  isAbstractType,
  isEnumType,
  isLeafType,
  isObjectType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} = graphql;

export const ADMIN_API_VERSION = "2026-07";
export const ADMIN_GRAPHQL_PATH = `/admin/api/${ADMIN_API_VERSION}/graphql.json`;
/** Header a local client may use to name the shop when it cannot be in the host (SHOPIFY_ADMIN_API_ORIGIN). */
export const SHOP_HEADER = "X-Keepsake-Shop";

// ---------------------------------------------------------------------------------------------------------------
// schema and validation

let cachedSchema: GraphQLSchema | undefined;

/** Shopify's Admin 2026-07 schema, loaded once from the committed introspection (~0.4 s). */
export function adminSchema(): GraphQLSchema {
  if (!cachedSchema) {
    const file = new URL("./admin-schema.2026-07.json.gz", import.meta.url);
    const introspection = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as { data: IntrospectionQuery };
    cachedSchema = buildClientSchema(introspection.data);
  }
  return cachedSchema;
}

/** Parse + validate against the 2026-07 schema. Empty array = Shopify would accept the document. */
export function validateAdminDocument(source: string): readonly GraphQLErrorType[] {
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  return validate(adminSchema(), document);
}

// ---------------------------------------------------------------------------------------------------------------
// query cost (Shopify's documented calculation, approximated)

/**
 * Shopify: scalars/enums 0, objects 1, connections 2 + first|last × (cost of one item), mutations 10.
 * Abstract selections are summed rather than maxed, so this errs on the expensive side.
 */
export function estimateQueryCost(
  document: DocumentNode,
  operationName?: string | null,
  variables: Record<string, unknown> = {},
): number {
  const schema = adminSchema();
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName ? operations.find((op) => op.name?.value === operationName) : operations[0];
  if (!operation) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const intArg = (field: FieldNode, name: string): number | undefined => {
    const value: ValueNode | undefined = field.arguments?.find((arg) => arg.name.value === name)?.value;
    if (!value) return undefined;
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const variable = variables[value.name.value];
      return typeof variable === "number" ? variable : undefined;
    }
    return undefined;
  };
  const costOf = (selectionSet: SelectionSetNode | undefined, parent: GraphQLCompositeType): number => {
    if (!selectionSet) return 0;
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (condition && !isLeafType(condition)) total += costOf(selection.selectionSet, condition as GraphQLCompositeType);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const condition = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && condition && !isLeafType(condition)) {
          total += costOf(fragment.selectionSet, condition as GraphQLCompositeType);
        }
        continue;
      }
      const fields = "getFields" in parent ? parent.getFields() : {};
      const definition = fields[selection.name.value];
      if (!definition) continue;
      const type = getNamedType(definition.type);
      if (isLeafType(type)) continue;
      const size = intArg(selection, "first") ?? intArg(selection, "last");
      if (type.name.endsWith("Connection") && size !== undefined && selection.selectionSet) {
        // pageInfo is paid once per connection, the rest once per requested item.
        const perItem = selection.selectionSet.selections.filter(
          (inner) => !(inner.kind === Kind.FIELD && inner.name.value === "pageInfo"),
        );
        const once = selection.selectionSet.selections.filter((inner) => !perItem.includes(inner));
        total +=
          2 +
          size * costOf({ ...selection.selectionSet, selections: perItem }, type as GraphQLCompositeType) +
          costOf({ ...selection.selectionSet, selections: once }, type as GraphQLCompositeType);
        continue;
      }
      total += 1 + costOf(selection.selectionSet, type as GraphQLCompositeType);
    }
    return total;
  };
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  if (operation.operation === "mutation") {
    return operation.selectionSet.selections.filter((selection) => selection.kind === Kind.FIELD).length * 10;
  }
  return costOf(operation.selectionSet, root);
}

/** Selected fields that the 2026-07 schema marks deprecated ("Type.field"). */
export function deprecatedFieldsIn(document: DocumentNode): string[] {
  const schema = adminSchema();
  const typeInfo = new TypeInfo(schema);
  const found = new Set<string>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field() {
        const field = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (field?.deprecationReason && parent) found.add(`${parent.name}.${field.name}`);
      },
    }),
  );
  return [...found];
}

// ---------------------------------------------------------------------------------------------------------------
// the stand-in

export interface AdminApiRequestRecord {
  /** From the `*.myshopify.com` host, or the X-Keepsake-Shop header. */
  shop: string | null;
  apiVersion: string | null;
  url: string;
  operationName: string | null;
  operationType: "query" | "mutation" | "subscription" | null;
  query: string;
  variables: Record<string, unknown>;
  accessToken: string | null;
  headers: Record<string, string>;
  /** What the stand-in answered. */
  status: number;
  errors: readonly unknown[];
  cost: number | null;
  deprecatedFields: string[];
}

export interface AdminApiCallContext {
  shop: string | null;
  accessToken: string | null;
  record: AdminApiRequestRecord;
  store: IMockStore;
}

/** Answers one root field. Return a (partial) object — missing fields are mocked — or undefined to use the mock. */
export type RootFieldHandler = (args: Record<string, unknown>, context: AdminApiCallContext) => unknown;

export interface ThrottleBucket {
  maximumAvailable: number;
  restoreRate: number;
}

export interface AdminApiStandInOptions {
  /** Per-type overrides, @graphql-tools/mock style: `{ Shop: () => ({ currencyCode: "EUR" }) }`. */
  mocks?: IMocks;
  queries?: Record<string, RootFieldHandler>;
  mutations?: Record<string, RootFieldHandler>;
  /**
   * Accepted access tokens: any non-empty token when omitted; otherwise a list, or a map shop → token.
   * A missing/unknown token gets Shopify's 401.
   */
  accessTokens?: readonly string[] | Record<string, string>;
  /** Leaky bucket per shop; `false` disables cost throttling. Default 2000 points, 100 points/s. */
  throttle?: ThrottleBucket | false;
  /** Clock for the bucket (ms). */
  now?: () => number;
  /** Delay before every answer (benchmarks). */
  latencyMs?: number;
  apiVersion?: string;
}

export interface FailureOptions {
  times?: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface AdminApiStandIn {
  readonly requests: readonly AdminApiRequestRecord[];
  readonly store: IMockStore;
  /** Answers a WHATWG Request to `https://<shop>.myshopify.com/admin/api/2026-07/graphql.json`. */
  fetch(request: Request): Promise<Response>;
  onQuery(field: string, handler: RootFieldHandler): void;
  onMutation(field: string, handler: RootFieldHandler): void;
  /** The next `times` valid requests are answered "Throttled" (HTTP 200), as when the bucket is empty. */
  throttleNext(times?: number): void;
  /** The next `times` requests fail with HTTP `status` (500, 502, 503, 429…). */
  failNext(status: number, options?: FailureOptions): void;
  /** Requests whose operation name matches. */
  requestsFor(operationName: string): AdminApiRequestRecord[];
  /**
   * The next call of mutation root field `field` (e.g. "discountCodeBasicCreate") answers these userErrors with
   * HTTP 200 and every other payload field null — what Shopify does with input it refuses.
   */
  userErrorsNext(field: string, userErrors: readonly StandInUserError[]): void;
  /** Code discounts created through discountCodeBasicCreate / discountCodeFreeShippingCreate, by GID. */
  readonly discounts: ReadonlyMap<string, StandInCodeDiscount>;
  /** Metafields written through metafieldsSet (and not deleted), in write order. */
  readonly metafields: readonly StandInMetafield[];
  /** The metafield a shop holds for owner + namespace + key, if any. */
  metafield(shop: string, ownerId: string, namespace: string, key: string): StandInMetafield | undefined;
  /** The shop's `currentAppInstallation.id` (stable per shop, one per stand-in). */
  appInstallationId(shop: string): string;
  /** Clears recorded requests and pending failures (mocked data and handlers stay). */
  reset(): void;
}

export interface StandInUserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
  /** metafieldsSet: which input the error is about (null when Shopify does not say). */
  elementIndex?: number | null;
}

export interface StandInMetafield {
  shop: string | null;
  ownerId: string;
  /** As sent (Shopify would answer `$app:…` as `app--<app id>--…`). */
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface StandInCodeDiscount {
  id: string;
  shop: string | null;
  /** As sent, upper-cased (Shopify matches codes case-insensitively). */
  code: string;
  type: "basic" | "free_shipping";
  /** The input argument as executed (variables coerced by the schema). */
  input: Record<string, unknown>;
  status: "ACTIVE" | "DELETED";
}

const SHOPIFY_401_BODY = JSON.stringify({
  errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
});
const MAX_SINGLE_QUERY_COST = 1000;
const DEFAULT_BUCKET: ThrottleBucket = { maximumAvailable: 2000, restoreRate: 100 };

/** Deterministic, Shopify-looking defaults; per-test `mocks` are merged over them type by type. */
function defaultMocks(sequence: () => number): IMocks {
  const schema = adminSchema();
  const mocks: Record<string, () => unknown> = {
    String: () => "Keepsake test value",
    Int: () => 1,
    Float: () => 1.5,
    // false so that `pageInfo.hasNextPage` never sends the app into an endless pagination loop.
    Boolean: () => false,
    ID: () => `gid://shopify/Node/${sequence()}`,
    ARN: () => "arn:aws:events:us-east-1::event-source/aws.partner/shopify.com/1/keepsake",
    BigInt: () => "1",
    Color: () => "#6A8D48",
    Date: () => "2026-07-01",
    DateTime: () => "2026-07-01T12:00:00Z",
    Decimal: () => "10.0",
    FormattedString: () => "Keepsake",
    HTML: () => "<p>Keepsake</p>",
    JSON: () => ({}),
    Money: () => "10.00",
    StorefrontID: () => `gid://shopify/Node/${sequence()}`,
    URL: () => "https://keepsake.test/",
    UnsignedInt64: () => "1",
    UtcOffset: () => "-05:00",
    CurrencyCode: () => "USD",
    MoneyV2: () => ({ amount: "10.0", currencyCode: "USD" }),
    PageInfo: () => ({ hasNextPage: false, hasPreviousPage: false, startCursor: "c1", endCursor: "c1" }),
    Shop: () => ({
      name: "Keepsake Test Shop",
      currencyCode: "USD",
      ianaTimezone: "America/New_York",
      timezoneAbbreviation: "EST",
      myshopifyDomain: "test-shop.myshopify.com",
      email: "owner@example.com",
    }),
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (isEnumType(type) && !mocks[type.name]) {
      const first = type.getValues()[0]?.value as unknown;
      mocks[type.name] = () => first; // the library would pick at random
    } else if (isAbstractType(type) && !mocks[type.name]) {
      const firstPossible = schema.getPossibleTypes(type)[0]?.name;
      mocks[type.name] = () => ({ __typename: firstPossible }); // likewise random otherwise
    } else if (isObjectType(type)) {
      const fields = type.getFields();
      const base = mocks[type.name];
      const hasGid = getNamedType(fields.id?.type ?? schema.getType("String")!)?.name === "ID";
      mocks[type.name] = () => ({
        ...(hasGid ? { id: `gid://shopify/${type.name}/${sequence()}` } : {}),
        // A mutation payload with mocked userErrors would look like a failure: none by default.
        ...("userErrors" in fields ? { userErrors: [] } : {}),
        ...(base ? (base() as object) : {}),
      });
    }
  }
  return mocks;
}

function mergeMocks(defaults: IMocks, overrides: IMocks | undefined): IMocks {
  if (!overrides) return defaults;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [name, override] of Object.entries(overrides)) {
    const base = defaults[name];
    merged[name] =
      typeof base === "function" && typeof override === "function"
        ? () => {
            const baseValue: unknown = (base as () => unknown)();
            const overrideValue: unknown = (override as () => unknown)();
            return isPlainObject(baseValue) && isPlainObject(overrideValue)
              ? { ...baseValue, ...overrideValue }
              : overrideValue;
          }
        : override;
  }
  return merged as IMocks;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `gid://shopify/Customer/123` → "Customer". */
function gidType(id: unknown): string | undefined {
  return typeof id === "string" ? /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(id)?.[1] : undefined;
}

function shopFromRequest(url: URL, headers: Headers): string | null {
  const header = headers.get(SHOP_HEADER);
  if (header) return header;
  return url.hostname.endsWith(".myshopify.com") ? url.hostname : null;
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === "string" ? body : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}

/** `MockStore.generateFieldValue` is private in the typings but is what addMocksToSchema's own resolver calls. */
interface MockStoreInternals {
  generateFieldValue(typeName: string, fieldName: string, fieldArgs: Record<string, unknown>): unknown;
}

/**
 * The resolver @graphql-tools/mock's addMocksToSchema installs, applied through `execute({ fieldResolver })`
 * instead: rebuilding the 3.5k-type schema per stand-in (mapSchema) costs ~0.3 s, while this keeps one schema and
 * one store per stand-in. Real values (handler results, store refs) win; missing ones are mocked.
 */
const mockFieldResolver: GraphQLFieldResolver<unknown, AdminApiCallContext> = (source, args, context, info) => {
  const resolved: unknown = defaultFieldResolver(source, args, context, info);
  if (resolved !== undefined) return resolved;
  if (isRef(source)) {
    return context.store.get({
      typeName: source.$ref.typeName,
      key: source.$ref.key,
      fieldName: info.fieldName,
      fieldArgs: args,
    });
  }
  if (info.parentType === info.schema.getRootType(info.operation.operation)) {
    return context.store.get({ typeName: info.parentType.name, key: "ROOT", fieldName: info.fieldName, fieldArgs: args });
  }
  return (context.store as unknown as MockStoreInternals).generateFieldValue(info.parentType.name, info.fieldName, args);
};

const mockTypeResolver: GraphQLTypeResolver<unknown, AdminApiCallContext> = (value, _context, info, abstractType) => {
  if (isPlainObject(value) && typeof value.__typename === "string") return value.__typename;
  if (isRef(value)) return value.$ref.typeName;
  return info.schema.getPossibleTypes(abstractType)[0]?.name;
};

export function createAdminApiStandIn(options: AdminApiStandInOptions = {}): AdminApiStandIn {
  const schema = adminSchema();
  let counter = 0;
  const sequence = () => ++counter;
  const store = createMockStore({ schema, mocks: mergeMocks(defaultMocks(sequence), options.mocks) });
  const apiVersion = options.apiVersion ?? ADMIN_API_VERSION;
  const now = options.now ?? Date.now;
  const bucketConfig = options.throttle === false ? undefined : (options.throttle ?? DEFAULT_BUCKET);
  const buckets = new Map<string, { available: number; at: number }>();
  const requests: AdminApiRequestRecord[] = [];
  const queryHandlers = new Map(Object.entries(options.queries ?? {}));
  const mutationHandlers = new Map(Object.entries(options.mutations ?? {}));
  let throttledRemaining = 0;
  const failures: { status: number; body?: string; headers?: Record<string, string> }[] = [];
  const pendingUserErrors = new Map<string, (readonly StandInUserError[])[]>();
  const discounts = new Map<string, StandInCodeDiscount>();
  const metafields = new Map<string, StandInMetafield>();
  const installations = new Map<string, string>();

  // Code discounts behave like Shopify's: a code is unique per shop (TAKEN), the end must follow the start, and
  // deleting an unknown or deleted discount is a userError. A test's own handler for the field wins.
  const createCodeDiscount =
    (type: StandInCodeDiscount["type"], argument: string, typeName: string): RootFieldHandler =>
    (args, context) => {
      const input = (args[argument] ?? {}) as Record<string, unknown>;
      const code = String(input.code ?? "").toUpperCase();
      const taken = [...discounts.values()].some(
        (d) => d.status === "ACTIVE" && d.shop === context.shop && d.code === code,
      );
      if (taken) {
        return {
          codeDiscountNode: null,
          userErrors: [{ field: [argument, "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN" }],
        };
      }
      if (input.startsAt && input.endsAt && Date.parse(String(input.endsAt)) <= Date.parse(String(input.startsAt))) {
        return {
          codeDiscountNode: null,
          userErrors: [{ field: [argument, "endsAt"], message: "Ends at needs to be after starts_at", code: "INVALID" }],
        };
      }
      const id = `gid://shopify/DiscountCodeNode/${sequence()}`;
      discounts.set(id, { id, shop: context.shop, code, type, input, status: "ACTIVE" });
      return { codeDiscountNode: { id, codeDiscount: { __typename: typeName } }, userErrors: [] };
    };
  const defaultMutationHandlers: Record<string, RootFieldHandler> = {
    discountCodeBasicCreate: createCodeDiscount("basic", "basicCodeDiscount", "DiscountCodeBasic"),
    discountCodeFreeShippingCreate: createCodeDiscount("free_shipping", "freeShippingCodeDiscount", "DiscountCodeFreeShipping"),
    discountCodeDelete: (args, context) => {
      const discount = discounts.get(String(args.id));
      if (!discount || discount.status === "DELETED" || discount.shop !== context.shop) {
        return {
          deletedCodeDiscountId: null,
          userErrors: [{ field: ["id"], message: "Discount does not exist", code: null }],
        };
      }
      discount.status = "DELETED";
      return { deletedCodeDiscountId: discount.id, userErrors: [] };
    },
  };
  // Metafields behave like Shopify's for what Keepsake writes: metafieldsSet is atomic (one bad input and nothing
  // is saved; each userError names its input by elementIndex), takes at most 25 inputs, checks namespace, key, type
  // and value; app-data metafields may only go on the caller's own installation. No definitions: a type is required.
  const metafieldKey = (shop: string | null, ownerId: string, namespace: string, key: string) =>
    JSON.stringify([shop, ownerId, namespace, key]);
  const installationIdOf = (shop: string | null) => {
    const key = shop ?? "";
    let id = installations.get(key);
    if (!id) {
      // Derived from the shop, like a real installation's id is fixed for the life of the installation: a
      // fresh stand-in (per test) answers the same id for the same shop, as Shopify would between two calls.
      const digest = createHash("sha256").update(key).digest();
      id = `gid://shopify/AppInstallation/${digest.readUInt32BE(0) + 1}`;
      installations.set(key, id);
    }
    return id;
  };
  const ownerError = (ownerId: string, shop: string | null): string | null => {
    const type = gidType(ownerId);
    if (!type || !/^gid:\/\/shopify\/[A-Za-z]+\/\d+$/.test(ownerId)) return "Owner is invalid";
    if (type === "AppInstallation" && ownerId !== installationIdOf(shop)) {
      return "Access denied: app-data metafields can only be set on the app's own installation";
    }
    return null;
  };
  defaultMutationHandlers.metafieldsSet = (args, context) => {
    const inputs = (args.metafields ?? []) as Record<string, unknown>[];
    if (inputs.length > 25) {
      throw new GraphQLError(`The input array size of ${inputs.length} is greater than the maximum allowed of 25.`, {
        extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
      });
    }
    const userErrors: StandInUserError[] = [];
    const accepted: StandInMetafield[] = [];
    inputs.forEach((input, index) => {
      const fail = (field: string, message: string, code: string) =>
        userErrors.push({ field: ["metafields", String(index), field], message, code, elementIndex: index });
      const ownerId = String(input.ownerId ?? "");
      const namespace = typeof input.namespace === "string" ? input.namespace : "$app";
      const key = String(input.key ?? "");
      const type = typeof input.type === "string" ? input.type : "";
      const value = String(input.value ?? "");
      const owner = ownerError(ownerId, context.shop);
      if (owner) return void fail("ownerId", owner, owner.startsWith("Access") ? "APP_NOT_AUTHORIZED" : "INVALID");
      if (namespace.length < 3 || namespace.length > 255) return void fail("namespace", "Namespace is too short or too long", "INVALID");
      if (namespace.startsWith("$") && !/^\$app(:[A-Za-z0-9_-]+)?$/.test(namespace)) {
        return void fail("namespace", "Namespace is reserved", "INVALID");
      }
      if (!/^[A-Za-z0-9_-]{2,64}$/.test(key)) return void fail("key", "Key must be 2-64 letters, digits, - or _", "INVALID");
      if (!type) return void fail("type", "Type can't be blank", "BLANK");
      const typeProblem = metafieldValueProblem(type, value);
      if (typeProblem === "type") return void fail("type", `Type '${type}' is not supported`, "INVALID_TYPE");
      if (typeProblem) return void fail("value", typeProblem, "INVALID_VALUE");
      accepted.push({ shop: context.shop, ownerId, namespace, key, type, value });
    });
    if (userErrors.length > 0) return { metafields: null, userErrors };
    for (const metafield of accepted) {
      const id = metafieldKey(metafield.shop, metafield.ownerId, metafield.namespace, metafield.key);
      metafields.delete(id); // keeps write order
      metafields.set(id, metafield);
    }
    return {
      metafields: accepted.map((m) => ({ id: `gid://shopify/Metafield/${sequence()}`, key: m.key, namespace: m.namespace, type: m.type, value: m.value })),
      userErrors: [],
    };
  };
  defaultMutationHandlers.metafieldsDelete = (args, context) => {
    const inputs = (args.metafields ?? []) as Record<string, unknown>[];
    const userErrors: StandInUserError[] = [];
    inputs.forEach((input, index) => {
      const owner = ownerError(String(input.ownerId ?? ""), context.shop);
      if (owner) userErrors.push({ field: ["metafields", String(index), "ownerId"], message: owner });
    });
    if (userErrors.length > 0) return { deletedMetafields: null, userErrors };
    const deletedMetafields = inputs.map((input) => {
      const id = metafieldKey(context.shop, String(input.ownerId), String(input.namespace), String(input.key));
      // Deleting a metafield that does not exist is not an error: Shopify answers null for it.
      return metafields.delete(id) ? { key: input.key, namespace: input.namespace, ownerId: input.ownerId } : null;
    });
    return { deletedMetafields, userErrors: [] };
  };
  for (const [field, handler] of Object.entries(defaultMutationHandlers)) {
    if (!mutationHandlers.has(field)) mutationHandlers.set(field, handler);
  }
  if (!queryHandlers.has("currentAppInstallation")) {
    queryHandlers.set("currentAppInstallation", (_args, context) => ({ id: installationIdOf(context.shop) }));
  }
  if (!queryHandlers.has("codeDiscountNodeByCode")) {
    queryHandlers.set("codeDiscountNodeByCode", (args, context) => {
      const code = String(args.code ?? "").toUpperCase();
      const found = [...discounts.values()].find((d) => d.status === "ACTIVE" && d.shop === context.shop && d.code === code);
      if (!found) return null;
      const typeName = found.type === "basic" ? "DiscountCodeBasic" : "DiscountCodeFreeShipping";
      return { id: found.id, codeDiscount: { __typename: typeName, endsAt: found.input.endsAt ?? null } };
    });
  }
  const mutationFields = schema.getMutationType()?.getFields() ?? {};
  /** `{ userErrors, <every other payload field>: null }` for a mutation root field. */
  const userErrorPayload = (field: string, userErrors: readonly StandInUserError[]) => {
    const payloadType = mutationFields[field] ? getNamedType(mutationFields[field].type) : undefined;
    const others = payloadType && isObjectType(payloadType) ? Object.keys(payloadType.getFields()) : [];
    return {
      ...Object.fromEntries(others.filter((name) => name !== "userErrors").map((name) => [name, null])),
      userErrors: userErrors.map((e) => ({
        field: e.field ?? null,
        message: e.message,
        code: e.code ?? null,
        elementIndex: e.elementIndex ?? null,
      })),
    };
  };

  // Root fields fetched by id (`customer(id:)`, `order(id:)`, `node(id:)`) return the store's object for that id,
  // so the same gid always yields the same data and `store.set(type, gid, {...})` shapes what a test reads.
  const byIdDefaults = new Map<string, RootFieldHandler>();
  for (const field of Object.values(schema.getQueryType()?.getFields() ?? {})) {
    const [onlyArg] = field.args;
    if (field.args.length !== 1 || onlyArg?.name !== "id") continue;
    const returned = getNamedType(field.type);
    byIdDefaults.set(field.name, (args) => {
      const typeName = isAbstractType(returned) ? gidType(args.id) : returned.name;
      if (!typeName || !(schema.getType(typeName) && isObjectType(schema.getType(typeName)))) return undefined;
      return store.get(typeName, String(args.id));
    });
  }

  const bucketFor = (shop: string | null) => {
    const key = shop ?? "";
    const current = now();
    const bucket = buckets.get(key) ?? { available: bucketConfig?.maximumAvailable ?? 0, at: current };
    if (bucketConfig) {
      bucket.available = Math.min(
        bucketConfig.maximumAvailable,
        bucket.available + ((current - bucket.at) / 1000) * bucketConfig.restoreRate,
      );
    }
    bucket.at = current;
    buckets.set(key, bucket);
    return bucket;
  };
  const throttleStatus = (available: number) => ({
    maximumAvailable: bucketConfig?.maximumAvailable ?? DEFAULT_BUCKET.maximumAvailable,
    currentlyAvailable: Math.floor(available),
    restoreRate: bucketConfig?.restoreRate ?? DEFAULT_BUCKET.restoreRate,
  });

  async function answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const headers = Object.fromEntries(request.headers);
    const shop = shopFromRequest(url, request.headers);
    const accessToken = request.headers.get("X-Shopify-Access-Token");
    const versionMatch = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname);
    const record: AdminApiRequestRecord = {
      shop,
      apiVersion: versionMatch?.[1] ?? null,
      url: request.url,
      operationName: null,
      operationType: null,
      query: "",
      variables: {},
      accessToken,
      headers,
      status: 0,
      errors: [],
      cost: null,
      deprecatedFields: [],
    };
    requests.push(record);
    const reply = (status: number, body: unknown, extraHeaders?: Record<string, string>) => {
      record.status = status;
      if (isPlainObject(body) && Array.isArray(body.errors)) record.errors = body.errors as unknown[];
      return jsonResponse(status, body, extraHeaders);
    };

    // Parse the body first so even failed requests are recorded with their operation.
    const text = await request.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (isPlainObject(body)) {
      record.query = typeof body.query === "string" ? body.query : "";
      record.variables = isPlainObject(body.variables) ? body.variables : {};
      record.operationName = typeof body.operationName === "string" ? body.operationName : null;
    }
    let document: DocumentNode | undefined;
    try {
      document = record.query ? parse(record.query) : undefined;
    } catch {
      document = undefined;
    }
    const operation = document?.definitions.find(
      (definition): definition is OperationDefinitionNode =>
        definition.kind === Kind.OPERATION_DEFINITION &&
        (record.operationName === null || definition.name?.value === record.operationName),
    );
    if (operation) {
      record.operationType = operation.operation;
      record.operationName ??= operation.name?.value ?? null;
    }

    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));

    const failure = failures.shift();
    if (failure) {
      record.status = failure.status;
      return new Response(failure.body ?? defaultFailureBody(failure.status), {
        status: failure.status,
        headers: { "Content-Type": "text/html; charset=utf-8", ...failure.headers },
      });
    }
    if (!versionMatch) return reply(404, { errors: "Not Found" });
    if (request.method !== "POST") return reply(405, { errors: "Method Not Allowed" });
    if (!accessToken || !tokenAccepted(options.accessTokens, shop, accessToken)) return reply(401, SHOPIFY_401_BODY);
    if (versionMatch[1] !== apiVersion) {
      // Shopify serves an unsupported/unknown version as its oldest supported one; tests should notice instead.
      return reply(404, { errors: `Stand-in serves API ${apiVersion} only, got ${versionMatch[1]}` });
    }
    if (!isPlainObject(body) || typeof body.query !== "string" || body.query === "") {
      return reply(400, { errors: { query: "Required parameter missing or invalid" } });
    }

    const validationErrors = validateAdminDocument(body.query);
    if (validationErrors.length > 0 || !document) {
      return reply(200, { errors: validationErrors.map((error) => error.toJSON()) });
    }
    record.deprecatedFields = deprecatedFieldsIn(document);
    const cost = estimateQueryCost(document, record.operationName, record.variables);
    record.cost = cost;
    const bucket = bucketFor(shop);
    const deprecationHeaders: Record<string, string> = record.deprecatedFields.length
      ? { "X-Shopify-API-Deprecated-Reason": "https://shopify.dev/api/usage/versioning#deprecation-practices" }
      : {};

    if (cost > MAX_SINGLE_QUERY_COST) {
      return reply(200, {
        errors: [
          {
            message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_SINGLE_QUERY_COST}).

See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the
cost of a query is calculated.

To query larger amounts of data with fewer limits, bulk operations should be used instead.
See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.
`,
            extensions: { code: "MAX_COST_EXCEEDED", cost, maxCost: MAX_SINGLE_QUERY_COST },
          },
        ],
      });
    }
    if (throttledRemaining > 0 || (bucketConfig && bucket.available < cost)) {
      if (throttledRemaining > 0) throttledRemaining -= 1;
      return reply(200, {
        errors: [
          {
            message: "Throttled",
            extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
          },
        ],
        extensions: {
          cost: {
            requestedQueryCost: cost,
            actualQueryCost: null,
            throttleStatus: throttleStatus(Math.min(bucket.available, cost - 1)),
          },
        },
      });
    }

    const context: AdminApiCallContext = { shop, accessToken, record, store };
    const handlers = operation?.operation === "mutation" ? mutationHandlers : queryHandlers;
    const rootValue: Record<string, unknown> = {};
    const rootFields =
      operation?.operation === "query"
        ? new Set([...byIdDefaults.keys(), ...handlers.keys()])
        : new Set([...handlers.keys(), ...pendingUserErrors.keys()]);
    for (const field of rootFields) {
      const handler = handlers.get(field) ?? byIdDefaults.get(field);
      const queued = operation?.operation === "mutation" ? pendingUserErrors.get(field) : undefined;
      // graphql's default resolver calls a function-valued root property with (args, context, info); undefined
      // falls through to the mock store.
      if (queued?.length) {
        rootValue[field] = () => {
          const userErrors = queued.shift() ?? [];
          if (queued.length === 0) pendingUserErrors.delete(field);
          return userErrorPayload(field, userErrors);
        };
      } else if (handler) {
        rootValue[field] = (args: Record<string, unknown>) => handler(args, context);
      }
    }

    const executed = await execute({
      schema,
      document,
      rootValue,
      contextValue: context,
      variableValues: record.variables,
      operationName: record.operationName,
      fieldResolver: mockFieldResolver,
      typeResolver: mockTypeResolver,
    });
    const result: FormattedExecutionResult = {
      ...(executed.errors ? { errors: executed.errors.map((error) => error.toJSON()) } : {}),
      ...(executed.data !== undefined ? { data: executed.data } : {}),
    };

    if (bucketConfig) bucket.available -= cost;
    return reply(
      200,
      {
        ...result,
        extensions: {
          cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: throttleStatus(bucket.available) },
        },
      },
      deprecationHeaders,
    );
  }

  return {
    get requests() {
      return requests;
    },
    store,
    fetch: answer,
    onQuery(field, handler) {
      queryHandlers.set(field, handler);
    },
    onMutation(field, handler) {
      mutationHandlers.set(field, handler);
    },
    throttleNext(times = 1) {
      throttledRemaining += times;
    },
    failNext(status, failureOptions = {}) {
      for (let i = 0; i < (failureOptions.times ?? 1); i += 1) {
        failures.push({ status, body: failureOptions.body, headers: failureOptions.headers });
      }
    },
    requestsFor(operationName) {
      return requests.filter((record) => record.operationName === operationName);
    },
    userErrorsNext(field, userErrors) {
      if (!mutationFields[field]) throw new Error(`no mutation field ${field} in the 2026-07 schema`);
      pendingUserErrors.set(field, [...(pendingUserErrors.get(field) ?? []), userErrors]);
    },
    get discounts() {
      return discounts;
    },
    get metafields() {
      return [...metafields.values()];
    },
    metafield(shop, ownerId, namespace, key) {
      return metafields.get(metafieldKey(shop, ownerId, namespace, key));
    },
    appInstallationId(shop) {
      return installationIdOf(shop);
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
      throttledRemaining = 0;
      pendingUserErrors.clear();
      buckets.clear();
    },
  };
}

function tokenAccepted(accepted: AdminApiStandInOptions["accessTokens"], shop: string | null, token: string): boolean {
  if (accepted === undefined) return true;
  if (Array.isArray(accepted)) return accepted.includes(token);
  return shop !== null && (accepted as Record<string, string>)[shop] === token;
}

/**
 * Why Shopify would refuse `value` for metafield type `type`: "type" for an unsupported type, a message for a bad
 * value, null when it is fine. Covers the scalar types; list and reference types are accepted as sent.
 */
export function metafieldValueProblem(type: string, value: string): string | null {
  switch (type) {
    case "number_integer":
      return /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)) ? null : "Value must be an integer.";
    case "number_decimal":
      return /^-?\d{1,13}(\.\d{1,9})?$/.test(value) ? null : "Value must be a decimal.";
    case "boolean":
      return value === "true" || value === "false" ? null : "Value must be true or false.";
    case "json":
      try {
        JSON.parse(value);
        return null;
      } catch {
        return "Value must be valid JSON.";
      }
    case "single_line_text_field":
      return /[\r\n]/.test(value) ? "Value must be a single line of text." : null;
    case "multi_line_text_field":
    case "color":
    case "date":
    case "date_time":
    case "url":
    case "money":
    case "rating":
    case "rich_text_field":
    case "dimension":
    case "volume":
    case "weight":
      return null;
    default:
      return /^list\.|_reference$/.test(type) ? null : "type";
  }
}

function defaultFailureBody(status: number): string {
  if (status === 502) return "<html><body><h1>502 Bad Gateway</h1></body></html>";
  if (status === 503) return "<html><body><h1>503 Service Unavailable</h1></body></html>";
  if (status === 429) return JSON.stringify({ errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." });
  return "<html><body><h1>500 Internal Server Error</h1></body></html>";
}

// ---------------------------------------------------------------------------------------------------------------
// serving it: fetch interceptor and HTTP server

const ADMIN_URL_PATTERN = /^https:\/\/[a-z0-9][a-z0-9-]*\.myshopify\.com\/admin\/api\/[^/]+\/graphql\.json(\?.*)?$/;

export interface AdminApiFetchHandle {
  /** Route later Admin API calls to another stand-in (useful when the interceptor is installed once per file). */
  use(standIn: AdminApiStandIn): void;
  /** Puts the previous `globalThis.fetch` back. */
  restore(): void;
}

/**
 * Replaces `globalThis.fetch` so calls to `https://<shop>.myshopify.com/admin/api/<v>/graphql.json` are answered by
 * the stand-in; anything else goes to the previous fetch unless `passthrough: false` (then it throws).
 * NOTE: @shopify/shopify-api's node/web adapters capture `globalThis.fetch` when they are imported — install this
 * before importing app code (e.g. in a setup file), then swap stand-ins with `use()`.
 */
export function installAdminApiFetch(
  standIn: AdminApiStandIn,
  options: { passthrough?: boolean } = {},
): AdminApiFetchHandle {
  const previousFetch = globalThis.fetch;
  let current = standIn;
  const interceptor: typeof fetch = async (input, init) => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    if (ADMIN_URL_PATTERN.test(request.url)) return current.fetch(request);
    if (options.passthrough === false) throw new Error(`Unexpected network call in test: ${request.method} ${request.url}`);
    return previousFetch(input, init);
  };
  globalThis.fetch = interceptor;
  return {
    use(next) {
      current = next;
    },
    restore() {
      if (globalThis.fetch === interceptor) globalThis.fetch = previousFetch;
    },
  };
}

export interface AdminApiServer {
  /** e.g. "http://127.0.0.1:53121" — the value for SHOPIFY_ADMIN_API_ORIGIN. */
  origin: string;
  /** `${origin}/admin/api/2026-07/graphql.json` */
  graphqlUrl: string;
  close(): Promise<void>;
}

/**
 * Serves the stand-in over plain HTTP (offline demo, benchmarks). The shop cannot be in the host here, so clients
 * name it in the `X-Keepsake-Shop` header.
 */
export async function startAdminApiServer(
  standIn: AdminApiStandIn,
  options: { port?: number; host?: string } = {},
): Promise<AdminApiServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const method = incoming.method ?? "GET";
      const request = new Request(`http://${host}${incoming.url ?? "/"}`, {
        method,
        headers: toHeaders(incoming.headers),
        body: method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks),
      });
      standIn
        .fetch(request)
        .then(async (response) => {
          outgoing.writeHead(response.status, Object.fromEntries(response.headers));
          outgoing.end(Buffer.from(await response.arrayBuffer()));
        })
        .catch((error: unknown) => {
          outgoing.writeHead(500, { "Content-Type": "text/plain" });
          outgoing.end(String(error instanceof Error ? error.stack : error));
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host}:${port}`;
  return {
    origin,
    graphqlUrl: `${origin}${ADMIN_GRAPHQL_PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}
