/**
 * Server text in the staff's language (app/i18n/server-messages.ts, ADR 010 "Server messages"):
 * every message literal the server can send to an admin page — zod messages, services' `message`/
 * `error` texts, `errors: { field: … }` answers, domain errors, route 404s, ledger descriptions — has a
 * Korean translation with the same placeholders. The literals are found by reading the sources'
 * syntax trees, so a message added later without a translation fails this test.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { SERVER_MESSAGES_KO, translateFieldErrors, translateServerMessage } from "~/i18n/server-messages";

const ROOT = join(import.meta.dirname, "../..");

/** zod checks whose string arguments are messages; for the ones taking a value first, only later arguments. */
const ZOD_MESSAGE_FIRST = new Set(["int", "positive", "nonnegative", "negative", "email", "url", "uuid", "nonempty", "date", "datetime"]);
const ZOD_VALUE_FIRST = new Set(["refine", "regex", "min", "max", "length", "gte", "lte", "gt", "lt", "multipleOf", "startsWith", "endsWith", "includes"]);
/** Programming errors (a 500 and a log line, never a page): not translated. */
const INTERNAL_ERRORS = new Set(["Error", "RangeError", "TypeError", "ConcurrentChangeError"]);

interface Found {
  where: string;
  message: string;
}

function sourceFiles(): string[] {
  const loyalty = (readdirSync(join(ROOT, "app/loyalty"), { recursive: true }) as string[])
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join("app/loyalty", file));
  const routes = readdirSync(join(ROOT, "app/routes"))
    .filter((file) => /^app(\.|$)/.test(file) && /\.tsx?$/.test(file))
    .map((file) => join("app/routes", file));
  return [...loyalty, ...routes];
}

/** A literal's text with each `${…}` as `{}`; undefined for anything else. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((span) => `{}${span.literal.text}`).join("");
  return undefined;
}

function messagesIn(path: string, code: string): Found[] {
  const source = ts.createSourceFile(path, code, ts.ScriptTarget.Latest, true, path.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: Found[] = [];
  const add = (node: ts.Node | undefined) => {
    const message = node ? literalText(node) : undefined;
    if (node && message !== undefined && /[A-Za-z]{2}/.test(message)) {
      found.push({ where: `${path}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`, message });
    }
  };
  const addProperties = (node: ts.Node) => {
    if (ts.isObjectLiteralExpression(node)) for (const property of node.properties) if (ts.isPropertyAssignment(property)) add(property.initializer);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
      const name = node.name.text;
      if (name === "message" || name === "error") add(node.initializer);
      if (name === "errors") addProperties(node.initializer);
      // What a ledger entry says it was (points history, dashboard activity).
      if (name === "description" && path.startsWith("app/loyalty/services/")) add(node.initializer);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isPropertyAccessExpression(callee)) {
        const method = callee.name.text;
        if (ZOD_MESSAGE_FIRST.has(method)) node.arguments.forEach(add);
        if (ZOD_VALUE_FIRST.has(method)) node.arguments.slice(1).forEach(add);
      }
      // A route's `fail({ field: message }, status)`.
      if (ts.isIdentifier(callee) && callee.text === "fail") node.arguments.forEach(addProperties);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text;
      const args = node.arguments ?? [];
      if (name === "Response") add(args[0]);
      // A domain error's message is its last argument (`new OnboardingError(code, message)`).
      else if (name.endsWith("Error") && !INTERNAL_ERRORS.has(name)) add(args.at(-1));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const shape = (text: string) => text.replace(/\{\w*\}/g, "{}");
const placeholders = (text: string) => [...text.matchAll(/\{(\w*)\}/g)].map((match) => match[1]).sort();

describe("server messages in Korean", () => {
  const found = sourceFiles().flatMap((path) => messagesIn(path, readFileSync(join(ROOT, path), "utf8")));
  const catalogueShapes = new Set(Object.keys(SERVER_MESSAGES_KO).map(shape));

  it("finds the messages of the zod schemas, services and admin routes", () => {
    const messages = new Set(found.map((item) => item.message));
    // One of each kind the scan must see (if the scan broke, the completeness check would pass vacuously).
    expect(messages).toContain("Enter a number like 1 or 0.5"); // zod .refine(…, message)
    expect(messages).toContain("Choose a checklist step"); // zod { error }
    expect(messages).toContain("Member not found"); // errors: { form } / fail({ form })
    expect(messages).toContain("Unknown action");
    expect(messages).toContain("The balance is {} points: a member's points cannot go below zero."); // template
    expect(messages).toContain("Finish every step before hiding the checklist"); // new OnboardingError(code, message)
    expect(messages).toContain("Not found"); // throw new Response("Not found", { status: 404 })
    expect(messages).toContain("Order {}"); // ledger description
    expect(found.length).toBeGreaterThan(150);
  });

  it("has a Korean translation for every message found", () => {
    const missing = found.filter((item) => !catalogueShapes.has(shape(item.message))).map((item) => `${item.where}  ${item.message}`);
    expect(missing, "add these to SERVER_MESSAGES_KO in app/i18n/server-messages.ts").toEqual([]);
  });

  it("detects a message without a translation (the scan itself)", () => {
    const code = `
      import { z } from "zod";
      const Input = z.object({ n: z.string().regex(/^\\d+$/, "A brand-new message") });
      export function go(points: number) { return { ok: false, errors: { form: \`Over by \${points}\` } }; }`;
    const messages = messagesIn("app/loyalty/example.ts", code).map((item) => item.message);
    expect(messages).toEqual(["A brand-new message", "Over by {}"]);
    expect(messages.filter((message) => !catalogueShapes.has(shape(message)))).toEqual(messages);
  });

  it("keeps each Korean text non-empty, using only the English placeholders", () => {
    for (const [english, korean] of Object.entries(SERVER_MESSAGES_KO)) {
      expect(korean.trim(), english).not.toBe("");
      // Korean may leave a value out (zod's "{type}", English plural endings), never invent one.
      expect(placeholders(korean).filter((name) => !placeholders(english).includes(name)), english).toEqual([]);
    }
  });

  it("translates exact messages, fills placeholders, prefers the most specific pattern", () => {
    expect(translateServerMessage("Member not found", "ko")).toBe("회원을 찾을 수 없습니다");
    expect(translateServerMessage("Member not found", "en")).toBe("Member not found");
    expect(translateServerMessage("The balance is 40 points: a member's points cannot go below zero.", "ko")).toBe(
      "잔액이 40포인트입니다. 회원의 포인트는 0 미만이 될 수 없습니다.",
    );
    expect(translateServerMessage("Order #1042", "ko")).toBe("주문 #1042");
    expect(translateServerMessage("Order #1042 cancelled", "ko")).toBe("주문 #1042 취소");
    expect(translateServerMessage("Order #1042 cancelled: campaign bonus", "ko")).toBe("주문 #1042 취소: 캠페인 보너스");
    expect(translateServerMessage("Spend between 100 and 500 points.", "ko")).toBe("100~500포인트 사이로 사용하세요.");
    // A status word inside a message is translated; data (a staff reason) is not.
    expect(translateServerMessage("This reward is used", "ko")).toBe("이 리워드는 사용됨 상태입니다");
    expect(translateServerMessage("Adjusted by staff: Sign-up bonus", "ko")).toBe("직원 조정: Sign-up bonus");
    // zod's own messages and several issues joined by "; ".
    expect(translateServerMessage('Invalid option: expected one of "floor"|"round"|"ceil"', "ko")).toBe(
      '올바르지 않은 선택입니다: "floor"|"round"|"ceil" 중 하나여야 합니다',
    );
    expect(translateServerMessage("must not be negative; must be at most 100", "ko")).toBe("음수일 수 없습니다; 100 이하여야 합니다");
    // Unknown text stays as the server wrote it.
    expect(translateServerMessage("Something new", "ko")).toBe("Something new");
  });

  it("translates every field of an error answer", () => {
    expect(translateFieldErrors({ earnRate: "Must be more than 0", form: "Unknown action" }, "ko")).toEqual({
      earnRate: "0보다 커야 합니다",
      form: "알 수 없는 작업입니다",
    });
    const english = { earnRate: "Must be more than 0" };
    expect(translateFieldErrors(english, "en")).toBe(english);
  });
});
