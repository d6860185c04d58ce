// Writes the inputs/outputs tables of each stack's README from its variables.tf and outputs.tf,
// so the READMEs cannot drift from the code. `--check` fails when a README is out of date.
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "terraform", "stacks");
const check = process.argv.includes("--check");
const BEGIN = "<!-- BEGIN GENERATED: scripts/terraform-docs.mjs -->";
const END = "<!-- END GENERATED -->";

/** Top-level blocks `KIND "NAME" { ... }` with their bodies (brace-matched). */
function blocks(text, kind) {
  const out = [];
  const re = new RegExp(`^${kind} "([^"]+)" \\{`, "gm");
  for (const m of text.matchAll(re)) {
    let depth = 0;
    let i = m.index + m[0].length - 1;
    for (; i < text.length; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}" && --depth === 0) break;
    }
    out.push({ name: m[1], body: text.slice(m.index + m[0].length, i) });
  }
  return out;
}

const attr = (body, name) => {
  const m = new RegExp(`^  ${name}\\s*=\\s*(.+)$`, "m").exec(body);
  return m ? m[1].trim() : undefined;
};
const unquote = (s) => (s?.startsWith('"') ? JSON.parse(s) : s);
const cell = (s) => String(s ?? "").replaceAll("|", "\\|");

for (const stack of (await readdir(root)).sort()) {
  const dir = path.join(root, stack);
  const files = (await readdir(dir)).filter((f) => f.endsWith(".tf"));
  let tf = "";
  for (const f of files.sort()) tf += `${await readFile(path.join(dir, f), "utf8")}\n`;
  const inputs = blocks(tf, "variable").map((v) => {
    const def = attr(v.body, "default");
    return `| \`${v.name}\` | \`${cell(attr(v.body, "type"))}\` | ${def === undefined ? "**required**" : `\`${cell(def)}\``} | ${cell(unquote(attr(v.body, "description")))} |`;
  });
  const outputs = blocks(tf, "output").map(
    (o) => `| \`${o.name}\` | ${cell(unquote(attr(o.body, "description")))} |`,
  );
  const generated = [
    BEGIN,
    "## Inputs",
    "",
    "| name | type | default | description |",
    "|---|---|---|---|",
    ...inputs,
    "",
    "## Outputs",
    "",
    "| name | description |",
    "|---|---|",
    ...outputs,
    END,
  ].join("\n");
  const readmePath = path.join(dir, "README.md");
  let readme;
  try {
    readme = await readFile(readmePath, "utf8");
  } catch {
    readme = `# stack \`${stack}\`\n\n${BEGIN}\n${END}\n`;
  }
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  const next = `${readme.slice(0, start)}${generated}${readme.slice(end + END.length)}`;
  if (next !== readme) {
    if (check) {
      console.error(
        `terraform-docs: ${path.relative(process.cwd(), readmePath)} is out of date; run node scripts/terraform-docs.mjs`,
      );
      process.exitCode = 1;
    } else {
      await writeFile(readmePath, next);
      console.log(`terraform-docs: wrote ${path.relative(process.cwd(), readmePath)}`);
    }
  }
}
