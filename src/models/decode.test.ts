import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeModelConfig, type Message, printMessage } from "./decode.js";
import { ENUMS } from "./schema.js";

const sample = readFileSync(
  new URL("../../templates/sample-model/models/identity/config.pbtxt", import.meta.url),
  "utf8",
);

describe("decodeModelConfig", () => {
  it("reads the sample model's config", () => {
    const { config, problems } = decodeModelConfig(sample);
    expect(problems).toEqual([]);
    expect(config).toEqual({
      name: "identity",
      backend: "python",
      max_batch_size: 8,
      input: [{ name: "INPUT0", data_type: "TYPE_FP32", dims: [-1] }],
      output: [{ name: "OUTPUT0", data_type: "TYPE_FP32", dims: [-1] }],
      instance_group: [{ count: 1, kind: "KIND_CPU" }],
    });
  });

  it("accepts the text format's other spellings: <>, separators, repeated scalars, hex, maps", () => {
    const { config, problems } = decodeModelConfig(
      [
        "name: 'a' 'b'; max_batch_size: 0x10,",
        'input < name: "x" data_type: 11 dims: 3 dims: [4] >',
        'parameters { key: "k" value { string_value: "v\\n\\101" } }',
        "dynamic_batching { preferred_batch_size: [ 2, 4 ] priority_queue_policy { key: 2 value { max_queue_size: 3 } } }",
        "optimization { cuda { graphs: true } }",
      ].join("\n"),
    );
    expect(problems).toEqual([]);
    expect(config).toEqual({
      name: "ab",
      max_batch_size: 16,
      input: [{ name: "x", data_type: "TYPE_FP32", dims: [3, 4] }],
      parameters: { k: { string_value: "v\nA" } },
      dynamic_batching: {
        preferred_batch_size: [2, 4],
        priority_queue_policy: { "2": { max_queue_size: 3 } },
      },
      optimization: { cuda: { graphs: true } },
    });
  });

  it("reports unknown fields, wrong types and unknown enums with line and column", () => {
    const { problems } = decodeModelConfig(
      [
        'name: "m"',
        'max_batch_size: "8"',
        'input [ { name: "x" data_typ: TYPE_FP32 } ]',
        "output { data_type: TYPE_FLOAT32 }",
      ].join("\n"),
    );
    expect(problems).toEqual([
      {
        code: "config.wrong-type",
        line: 2,
        col: 17,
        message: expect.stringContaining("max_batch_size expects an integer"),
      },
      {
        code: "config.unknown-field",
        line: 3,
        col: 21,
        message: expect.stringContaining("did you mean data_type?"),
      },
      {
        code: "config.unknown-enum",
        line: 4,
        col: 21,
        message: expect.stringContaining("TYPE_FLOAT32 is not a DataType"),
      },
    ]);
  });

  it("refuses a non-repeated field set twice and two members of one oneof", () => {
    const { problems } = decodeModelConfig('name: "a"\nname: "b"\ndynamic_batching {}\nsequence_batching {}');
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ["config.duplicate-field", 2],
      ["config.duplicate-field", 4],
    ]);
  });

  it("reports a syntax error with its position and nothing else", () => {
    const { problems } = decodeModelConfig('name: "m"\ninput [\n  { name: "x" }\n');
    expect(problems).toEqual([
      { code: "config.parse", line: 4, col: 1, message: 'expected "]", found end of file' },
    ]);
    expect(decodeModelConfig('name: "unterminated').problems[0]).toMatchObject({
      code: "config.parse",
      line: 1,
      col: 7,
    });
  });

  it("refuses out-of-range integers", () => {
    expect(decodeModelConfig("max_batch_size: 2147483648").problems[0]?.code).toBe("config.wrong-type");
    expect(decodeModelConfig("dynamic_batching { priority_levels: -1 }").problems[0]?.message).toMatch(
      /out of range for uint64/,
    );
  });
});

// Generators for configs drawn from the schema's own types: printing one and parsing it back gives it again.
const name = fc.string({ minLength: 0, maxLength: 12 });
const dataType = fc.constantFrom(...(ENUMS.DataType as string[]));
const dims = fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 4096 })), { maxLength: 4 });
const tensor = fc.record(
  { name, data_type: dataType, dims, reshape: fc.record({ shape: dims }) },
  { requiredKeys: ["name"] },
);
const config: fc.Arbitrary<Message> = fc
  .record(
    {
      name,
      backend: fc.constantFrom("python", "onnxruntime", "pytorch"),
      max_batch_size: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      input: fc.array(tensor, { maxLength: 3 }),
      output: fc.array(
        fc.record({ name, data_type: dataType, dims, label_filename: name }, { requiredKeys: ["name"] }),
        { maxLength: 3 },
      ),
      instance_group: fc.array(
        fc.record(
          {
            kind: fc.constantFrom(...(ENUMS["ModelInstanceGroup.Kind"] as string[])),
            count: fc.integer({ min: 0, max: 8 }),
            gpus: fc.array(fc.integer({ min: -2, max: 16 }), { maxLength: 3 }),
            passive: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 2 },
      ),
      parameters: fc.dictionary(name, fc.record({ string_value: name })),
      dynamic_batching: fc.record(
        {
          preferred_batch_size: fc.array(fc.integer({ min: 1, max: 64 })),
          preserve_ordering: fc.boolean(),
          priority_levels: fc.integer({ min: 0, max: 10 }),
          default_queue_policy: fc.record({
            timeout_action: fc.constantFrom("REJECT", "DELAY"),
            max_queue_size: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          }),
        },
        { requiredKeys: [] },
      ),
      sequence_batching: fc.record({
        direct: fc.record({ minimum_slot_utilization: fc.double({ noNaN: false }) }),
      }),
    },
    { requiredKeys: [] },
  )
  .filter((c) => !("dynamic_batching" in c && "sequence_batching" in c));

describe("print then parse", () => {
  it("gives back the same config (property)", () => {
    fc.assert(
      fc.property(config, (original) => {
        const printed = printMessage(original);
        const again = decodeModelConfig(printed);
        expect(again.problems).toEqual([]);
        // fp32 fields print as JS doubles and read back exactly, NaN included (toEqual treats NaN as equal).
        expect(again.config).toEqual(original);
        expect(printMessage(again.config)).toBe(printed);
      }),
      { numRuns: 300 },
    );
  });

  it("gives back the same config for every config that parses (property over random text edits)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sample.length }), fc.string({ maxLength: 3 }), (at, insert) => {
        const edited = sample.slice(0, at) + insert + sample.slice(at);
        const first = decodeModelConfig(edited);
        if (first.problems.length > 0) return;
        const second = decodeModelConfig(printMessage(first.config));
        expect(second.problems).toEqual([]);
        expect(second.config).toEqual(first.config);
      }),
      { numRuns: 300 },
    );
  });
});
