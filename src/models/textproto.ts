/**
 * A reader for protobuf text format (the syntax of Triton's config.pbtxt), written from the text-format
 * language specification (protobuf.dev/reference/protobuf/textformat-spec). No maintained npm package
 * reads it: @bufbuild/protobuf and protobufjs parse .proto files and the binary/JSON encodings only.
 *
 * This layer knows nothing of any schema: it turns text into fields with positions. schema.ts decides
 * what the fields mean. Every error carries the 1-based line and column it was found at.
 */

export interface Position {
  line: number;
  col: number;
}

export type ScalarKind = "identifier" | "number" | "string";

export interface ScalarNode extends Position {
  kind: "scalar";
  type: ScalarKind;
  /** The text as written (identifiers, numbers) or the decoded string (strings). */
  text: string;
}

export interface MessageNode extends Position {
  kind: "message";
  fields: FieldNode[];
}

export type ValueNode = ScalarNode | MessageNode;

/** One `name: value` or `name { ... }`. A list `name: [a, b]` becomes one FieldNode per element. */
export interface FieldNode extends Position {
  name: string;
  value: ValueNode;
}

export class TextFormatError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
    this.name = "TextFormatError";
  }
}

interface Token extends Position {
  type: "identifier" | "number" | "string" | "symbol" | "end";
  text: string;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const NUMBER_BODY = /[0-9A-Za-z_.+-]/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (): Position => ({ line, col: i - lineStart + 1 });
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    const pos = at();
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < source.length && IDENT_PART.test(source[j] as string)) j++;
      tokens.push({ type: "identifier", text: source.slice(i, j), ...pos });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(source[i + 1] ?? ""))) {
      let j = i + 1;
      while (j < source.length) {
        const d = source[j] as string;
        // An exponent sign belongs to the number; any other sign starts a new token.
        if ((d === "+" || d === "-") && !/[eE]/.test(source[j - 1] as string)) break;
        if (!NUMBER_BODY.test(d)) break;
        j++;
      }
      tokens.push({ type: "number", text: source.slice(i, j), ...pos });
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      const { value, end } = readString(source, i, pos);
      tokens.push({ type: "string", text: value, ...pos });
      i = end;
      continue;
    }
    if ("{}[]<>:,;-".includes(c)) {
      tokens.push({ type: "symbol", text: c, ...pos });
      i++;
      continue;
    }
    throw new TextFormatError(`unexpected character ${JSON.stringify(c)}`, pos.line, pos.col);
  }
  tokens.push({ type: "end", text: "", ...at() });
  return tokens;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "?": "?",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

function readString(source: string, start: number, pos: Position): { value: string; end: number } {
  const quote = source[start];
  let i = start + 1;
  const bytes: number[] = [];
  const pushText = (text: string) => {
    for (const b of Buffer.from(text, "utf8")) bytes.push(b);
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (c === quote) return { value: Buffer.from(bytes).toString("utf8"), end: i + 1 };
    if (c === "\n") break;
    if (c !== "\\") {
      const cp = source.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      pushText(ch);
      i += ch.length;
      continue;
    }
    const e = source[i + 1];
    if (e === undefined) break;
    if (e in SIMPLE_ESCAPES) {
      pushText(SIMPLE_ESCAPES[e] as string);
      i += 2;
    } else if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(source.slice(i + 1)) as RegExpExecArray;
      bytes.push(Number.parseInt(m[0], 8) & 0xff);
      i += 1 + m[0].length;
    } else if (e === "x" || e === "X") {
      const m = /^[0-9A-Fa-f]{1,2}/.exec(source.slice(i + 2));
      if (!m) throw new TextFormatError("\\x needs hex digits", pos.line, pos.col);
      bytes.push(Number.parseInt(m[0], 16));
      i += 2 + m[0].length;
    } else if (e === "u" || e === "U") {
      const n = e === "u" ? 4 : 8;
      const hex = source.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex)) {
        throw new TextFormatError(`\\${e} needs ${n} hex digits`, pos.line, pos.col);
      }
      pushText(String.fromCodePoint(Number.parseInt(hex, 16)));
      i += 2 + n;
    } else {
      throw new TextFormatError(`unknown escape \\${e} in a string`, pos.line, pos.col);
    }
  }
  throw new TextFormatError("string is not closed on its line", pos.line, pos.col);
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }
  private next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }
  private isSymbol(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.type === "symbol" && t.text === text;
  }
  private fail(token: Token, what: string): never {
    const found = token.type === "end" ? "end of file" : JSON.stringify(token.text);
    throw new TextFormatError(`expected ${what}, found ${found}`, token.line, token.col);
  }
  private expectSymbol(text: string): Token {
    const token = this.next();
    if (token.type !== "symbol" || token.text !== text) this.fail(token, `"${text}"`);
    return token;
  }

  parseMessageBody(close: string | undefined, start: Position): MessageNode {
    const fields: FieldNode[] = [];
    for (;;) {
      const token = this.peek();
      if (close === undefined && token.type === "end") break;
      if (close !== undefined && token.type === "symbol" && token.text === close) {
        this.next();
        break;
      }
      if (token.type === "end") this.fail(token, `"${close}"`);
      this.parseField(fields);
      if (this.isSymbol(",") || this.isSymbol(";")) this.next();
    }
    return { kind: "message", fields, line: start.line, col: start.col };
  }

  private parseField(into: FieldNode[]): void {
    const nameToken = this.next();
    if (nameToken.type !== "identifier") {
      if (nameToken.type === "symbol" && nameToken.text === "[") {
        throw new TextFormatError(
          "extension and Any fields ([...]) are not part of ModelConfig",
          nameToken.line,
          nameToken.col,
        );
      }
      this.fail(nameToken, "a field name");
    }
    const name = nameToken.text;
    const pos = { line: nameToken.line, col: nameToken.col };
    const colon = this.isSymbol(":");
    if (colon) this.next();
    if (this.isSymbol("{") || this.isSymbol("<")) {
      into.push({ name, ...pos, value: this.parseMessageValue() });
      return;
    }
    if (this.isSymbol("[")) {
      this.next();
      if (this.isSymbol("]")) {
        this.next();
        // `name: []` sets nothing but is valid; the marker lets the schema still check the name.
        into.push({ name, ...pos, value: EMPTY_LIST });
        return;
      }
      for (;;) {
        const value =
          this.isSymbol("{") || this.isSymbol("<") ? this.parseMessageValue() : this.parseScalar();
        into.push({ name, ...pos, value });
        if (this.isSymbol(",")) {
          this.next();
          continue;
        }
        this.expectSymbol("]");
        break;
      }
      return;
    }
    if (!colon) this.fail(this.peek(), `":" or "{" after ${name}`);
    into.push({ name, ...pos, value: this.parseScalar() });
  }

  private parseMessageValue(): MessageNode {
    const open = this.next();
    return this.parseMessageBody(open.text === "{" ? "}" : ">", open);
  }

  private parseScalar(): ScalarNode {
    const token = this.next();
    if (token.type === "string") {
      let text = token.text;
      // Adjacent string literals concatenate.
      while (this.peek().type === "string") text += this.next().text;
      return { kind: "scalar", type: "string", text, line: token.line, col: token.col };
    }
    if (token.type === "symbol" && token.text === "-") {
      const after = this.next();
      if (
        after.type === "number" ||
        (after.type === "identifier" && /^(inf|infinity|nan)$/i.test(after.text))
      ) {
        return { kind: "scalar", type: after.type, text: `-${after.text}`, line: token.line, col: token.col };
      }
      this.fail(after, "a number after -");
    }
    if (token.type === "number" || token.type === "identifier") {
      return { kind: "scalar", type: token.type, text: token.text, line: token.line, col: token.col };
    }
    this.fail(token, "a value");
  }
}

/** `name: []`: a repeated field written with no elements. */
export const EMPTY_LIST: ScalarNode = Object.freeze({
  kind: "scalar",
  type: "identifier",
  text: "[]",
  line: 0,
  col: 0,
}) as ScalarNode;

/** Parses a whole text-format document; throws TextFormatError with the position of the first problem. */
export function parseTextFormat(source: string): MessageNode {
  const parser = new Parser(tokenize(source));
  return parser.parseMessageBody(undefined, { line: 1, col: 1 });
}
