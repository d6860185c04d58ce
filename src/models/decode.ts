import { ENUMS, type FieldSpec, MESSAGES, type ScalarType } from "./schema.js";
import {
  EMPTY_LIST,
  type FieldNode,
  type MessageNode,
  type Position,
  parseTextFormat,
  type ScalarNode,
  TextFormatError,
} from "./textproto.js";

/** A decoded message: proto field names (snake_case) to values; repeated fields are arrays, maps records. */
export type Message = { [field: string]: Value };
export type Value = string | number | boolean | Message | Value[] | { [key: string]: Value };

export type SchemaProblemCode =
  | "config.parse"
  | "config.unknown-field"
  | "config.wrong-type"
  | "config.unknown-enum"
  | "config.duplicate-field";

export interface SchemaProblem extends Position {
  code: SchemaProblemCode;
  message: string;
}

export interface Decoded {
  config: Message;
  problems: SchemaProblem[];
  /** Where each message object, and each of its fields, was written. */
  positions: WeakMap<object, { at: Position; fields: Record<string, Position> }>;
}

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  // int64/uint64 values beyond 2^53 are not exact in JavaScript numbers; nothing in ModelConfig needs them.
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

class ScalarError extends Error {
  constructor(
    readonly code: SchemaProblemCode,
    message: string,
  ) {
    super(message);
  }
}

function parseInteger(text: string): number | undefined {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  let value: number;
  if (/^0[xX][0-9A-Fa-f]+$/.test(body)) value = Number.parseInt(body.slice(2), 16);
  else if (/^0[0-7]+$/.test(body)) value = Number.parseInt(body.slice(1), 8);
  else if (/^(0|[1-9][0-9]*)$/.test(body)) value = Number(body);
  else return undefined;
  return negative ? -value : value;
}

function parseFloatText(text: string): number | undefined {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  let value: number;
  if (/^(inf|infinity)$/i.test(body)) value = Number.POSITIVE_INFINITY;
  else if (/^nan$/i.test(body)) value = Number.NaN;
  else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[fF]?$/.test(body))
    value = Number(body.replace(/[fF]$/, ""));
  else {
    const n = parseInteger(body);
    if (n === undefined) return undefined;
    value = n;
  }
  return negative ? -value : value;
}

function scalarValue(node: ScalarNode, type: ScalarType): Value {
  switch (type) {
    case "string":
      if (node.type !== "string")
        throw new ScalarError("config.wrong-type", `expects a quoted string, got ${node.text}`);
      return node.text;
    case "bool": {
      if (node.type === "identifier" && /^(true|True|t)$/.test(node.text)) return true;
      if (node.type === "identifier" && /^(false|False|f)$/.test(node.text)) return false;
      if (node.type === "number" && (node.text === "1" || node.text === "0")) return node.text === "1";
      throw new ScalarError("config.wrong-type", `expects true or false, got ${display(node)}`);
    }
    case "float":
    case "double": {
      const value = node.type === "string" ? undefined : parseFloatText(node.text);
      if (value === undefined)
        throw new ScalarError("config.wrong-type", `expects a number, got ${display(node)}`);
      return value;
    }
    default: {
      const value =
        node.type === "number" || node.type === "identifier" ? parseInteger(node.text) : undefined;
      if (value === undefined) {
        throw new ScalarError("config.wrong-type", `expects an integer (${type}), got ${display(node)}`);
      }
      const [min, max] = INT_RANGES[type] as [number, number];
      if (value < min || value > max) {
        throw new ScalarError("config.wrong-type", `${value} is out of range for ${type}`);
      }
      return value;
    }
  }
}

function display(node: ScalarNode): string {
  return node.type === "string" ? JSON.stringify(node.text) : node.text;
}

function enumValue(node: ScalarNode, enumName: string): string {
  const values = ENUMS[enumName] as readonly string[];
  if (node.type === "identifier" && values.includes(node.text)) return node.text;
  if (node.type === "number") {
    const n = parseInteger(node.text);
    if (n !== undefined && values[n] !== undefined) return values[n] as string;
  }
  if (node.type === "string") {
    throw new ScalarError(
      "config.wrong-type",
      `expects an enum value (${enumName}), got a string ${display(node)}`,
    );
  }
  throw new ScalarError(
    "config.unknown-enum",
    `${display(node)} is not a ${enumName} value (one of ${values.join(", ")})`,
  );
}

class Decoder {
  readonly problems: SchemaProblem[] = [];
  readonly positions: Decoded["positions"] = new WeakMap();

  private problem(code: SchemaProblemCode, at: Position, message: string): void {
    this.problems.push({ code, message, line: at.line, col: at.col });
  }

  message(node: MessageNode, typeName: string, path: string): Message {
    const spec = MESSAGES[typeName] ?? {};
    const out: Message = {};
    const fieldPositions: Record<string, Position> = {};
    this.positions.set(out, { at: { line: node.line, col: node.col }, fields: fieldPositions });
    const oneofs = new Map<string, string>();
    for (const field of node.fields) {
      const fieldSpec = spec[field.name];
      const fieldPath = path ? `${path}.${field.name}` : field.name;
      if (!fieldSpec) {
        this.problem(
          "config.unknown-field",
          field,
          `${fieldPath} is not a field of ${typeName === "ModelConfig" ? "ModelConfig" : typeName}${suggest(field.name, Object.keys(spec))}`,
        );
        continue;
      }
      const repeated = fieldSpec.repeated === true || fieldSpec.mapKey !== undefined;
      if (fieldSpec.oneof) {
        const other = oneofs.get(fieldSpec.oneof);
        if (other !== undefined && other !== field.name) {
          this.problem(
            "config.duplicate-field",
            field,
            `${fieldPath} and ${other} are both set, but only one of ${fieldSpec.oneof} may be`,
          );
          continue;
        }
        oneofs.set(fieldSpec.oneof, field.name);
      }
      if (!repeated && field.name in out) {
        this.problem("config.duplicate-field", field, `${fieldPath} is set more than once`);
        continue;
      }
      if (field.value === EMPTY_LIST) {
        if (!repeated) this.problem("config.wrong-type", field, `${fieldPath} is not a list field`);
        else if (!(field.name in out)) {
          out[field.name] = fieldSpec.mapKey !== undefined ? {} : [];
          fieldPositions[field.name] = { line: field.line, col: field.col };
        }
        continue;
      }
      // Recorded even when the value is refused, so later rules know the field was written.
      if (!(field.name in fieldPositions)) fieldPositions[field.name] = { line: field.line, col: field.col };
      const value = this.fieldValue(field, fieldSpec, fieldPath);
      if (value === undefined) continue;
      if (fieldSpec.mapKey !== undefined) {
        const entry = value as { key: string; value: Value };
        const map = (out[field.name] ?? {}) as Record<string, Value>;
        // defineProperty, not assignment: a key such as "__proto__" must stay an ordinary entry.
        Object.defineProperty(map, entry.key, {
          value: entry.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        out[field.name] = map;
      } else if (repeated) {
        const list = (out[field.name] ?? []) as Value[];
        list.push(value);
        out[field.name] = list;
      } else {
        out[field.name] = value;
      }
    }
    return out;
  }

  private fieldValue(field: FieldNode, spec: FieldSpec, path: string): Value | undefined {
    if (spec.mapKey !== undefined) return this.mapEntry(field, spec, path);
    return this.singleValue(field.value, spec, path);
  }

  private singleValue(node: FieldNode["value"], spec: FieldSpec, path: string): Value | undefined {
    const type = spec.type;
    if ("message" in type) {
      if (node.kind !== "message") {
        this.problem(
          "config.wrong-type",
          node,
          `${path} is a message: write ${path.split(".").pop()} { ... }`,
        );
        return undefined;
      }
      return this.message(node, type.message, path);
    }
    if (node.kind === "message") {
      this.problem("config.wrong-type", node, `${path} takes a value, not a { ... } block`);
      return undefined;
    }
    try {
      return "enum" in type ? enumValue(node, type.enum) : scalarValue(node, type.scalar);
    } catch (error) {
      if (!(error instanceof ScalarError)) throw error;
      this.problem(error.code, node, `${path} ${error.message}`);
      return undefined;
    }
  }

  private mapEntry(
    field: FieldNode,
    spec: FieldSpec,
    path: string,
  ): { key: string; value: Value } | undefined {
    const node = field.value;
    if (node.kind !== "message") {
      this.problem(
        "config.wrong-type",
        node,
        `${path} is a map: write ${field.name} { key: ... value: ... }`,
      );
      return undefined;
    }
    let key: string | undefined;
    let value: Value | undefined;
    for (const f of node.fields) {
      if (f.name === "key") {
        const k = this.singleValue(f.value, { type: { scalar: spec.mapKey as ScalarType } }, `${path}.key`);
        if (k !== undefined) key = String(k);
      } else if (f.name === "value") {
        value = this.singleValue(f.value, { type: spec.type }, `${path}.value`);
      } else {
        this.problem("config.unknown-field", f, `${path}.${f.name} is not part of a map entry (key, value)`);
      }
    }
    if (key === undefined) key = spec.mapKey === "string" ? "" : "0";
    if (value === undefined) {
      if ("message" in spec.type) value = {};
      else if ("enum" in spec.type) value = (ENUMS[spec.type.enum] as readonly string[])[0] as string;
      else value = spec.type.scalar === "string" ? "" : spec.type.scalar === "bool" ? false : 0;
    }
    return { key, value };
  }
}

function suggest(name: string, known: string[]): string {
  const close = known.find((k) => editDistance(k, name) <= 2);
  return close ? ` (did you mean ${close}?)` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

/** Parses config.pbtxt text against the ModelConfig schema; never throws for bad input. */
export function decodeModelConfig(source: string): Decoded {
  const decoder = new Decoder();
  let tree: MessageNode;
  try {
    tree = parseTextFormat(source);
  } catch (error) {
    if (!(error instanceof TextFormatError)) throw error;
    return {
      config: {},
      problems: [{ code: "config.parse", message: error.message, line: error.line, col: error.col }],
      positions: decoder.positions,
    };
  }
  const config = decoder.message(tree, "ModelConfig", "");
  return { config, problems: decoder.problems, positions: decoder.positions };
}

/** Prints a decoded message back as text format: the inverse the round-trip property tests check. */
export function printMessage(message: Message, typeName = "ModelConfig", indent = ""): string {
  const spec = MESSAGES[typeName] ?? {};
  const lines: string[] = [];
  for (const [name, value] of Object.entries(message)) {
    const field = spec[name];
    if (!field) throw new Error(`printMessage: ${typeName} has no field ${name}`);
    if (field.mapKey !== undefined) {
      const entries = Object.entries(value as Record<string, Value>);
      if (entries.length === 0) lines.push(`${indent}${name}: []`);
      for (const [key, entry] of entries) {
        const keyText = field.mapKey === "string" ? quote(key) : key;
        lines.push(`${indent}${name} {`, `${indent}  key: ${keyText}`);
        lines.push(...printValue("value", entry, field, `${indent}  `));
        lines.push(`${indent}}`);
      }
    } else if (field.repeated) {
      const list = value as Value[];
      if (list.length === 0) lines.push(`${indent}${name}: []`);
      for (const item of list) lines.push(...printValue(name, item, field, indent));
    } else {
      lines.push(...printValue(name, value, field, indent));
    }
  }
  return lines.join("\n");
}

function printValue(name: string, value: Value, field: FieldSpec, indent: string): string[] {
  const type = field.type;
  if ("message" in type) {
    const body = printMessage(value as Message, type.message, `${indent}  `);
    return body ? [`${indent}${name} {`, body, `${indent}}`] : [`${indent}${name} {}`];
  }
  if ("enum" in type) return [`${indent}${name}: ${value as string}`];
  if (type.scalar === "string") return [`${indent}${name}: ${quote(value as string)}`];
  if (typeof value === "number" && !Number.isFinite(value)) {
    return [`${indent}${name}: ${Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf"}`];
  }
  return [`${indent}${name}: ${Object.is(value, -0) ? "-0" : String(value)}`];
}

function quote(text: string): string {
  let out = '"';
  for (const byte of Buffer.from(text, "utf8")) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += "\\\\";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return `${out}"`;
}
