// The README's "Use it from your project" recipes as data: the files of each language's sample
// project (test/packaging/<sdk>/) and the commands that build and run it. The packaging suites run
// exactly these; readme.ts renders them into README.md, and a test keeps the two equal.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = new URL("../..", import.meta.url).pathname;
/** The port the README shows; the suites put the test broker's port in its place. */
export const README_PORT = 7878;

export interface Recipe {
  readonly sdk: "typescript" | "python" | "rust";
  /** The folder under test/packaging/ holding install.sh and the project's files. */
  readonly dir: string;
  /** The project's files, shown in the README and copied into the new project, in this order. */
  readonly files: readonly string[];
  /** Commands run one after the other in the project once install.sh is done. */
  readonly build: readonly string[];
  /** The game, then its two bots, started together; `{port}` is the broker's port. */
  readonly players: readonly [game: string, ...bots: string[]];
}

export const RECIPES: Readonly<Record<Recipe["sdk"], Recipe>> = {
  typescript: {
    sdk: "typescript",
    dir: "typescript",
    files: ["bot.mjs", "game.ts", "tsconfig.json"],
    build: ["npx tsc"],
    players: ["node game.js {port}", "node bot.mjs {port}", "bun bot.mjs {port}"],
  },
  python: {
    sdk: "python",
    dir: "python",
    files: ["bot.py", "game.py"],
    build: [],
    players: [".venv/bin/python game.py {port}", ".venv/bin/python bot.py {port}", ".venv/bin/python bot.py {port}"],
  },
  rust: {
    sdk: "rust",
    dir: "rust",
    files: ["Cargo.toml", "src/main.rs"],
    build: ["cargo build"],
    players: ["cargo run -q -- game {port}", "cargo run -q -- bot {port}", "cargo run -q -- bot {port}"],
  },
};

/** What the sample game prints at the end of a normal match against two CounterBots. */
export const MATCH_OVER = "match over: count 10, bots CounterBot, CounterBot";

export function recipeText(recipe: Recipe, file: string): string {
  return readFileSync(join(ROOT, "test/packaging", recipe.dir, file), "utf8");
}

export const withPort = (command: string, port: number): string => command.replaceAll("{port}", String(port));

const FENCE: Record<string, string> = { sh: "sh", mjs: "js", ts: "ts", json: "json", py: "python", toml: "toml", rs: "rust" };

function block(language: string, text: string): string {
  return `\`\`\`${language}\n${text.endsWith("\n") ? text : `${text}\n`}\`\`\``;
}

export const beginMarker = (sdk: string): string =>
  `<!-- recipe:${sdk} begin: generated from test/packaging/${sdk}/ by \`bun test/packaging/readme.ts\`; edit those files -->`;
export const endMarker = (sdk: string): string => `<!-- recipe:${sdk} end -->`;

/** The README text between a recipe's markers (markers excluded). */
export function renderRecipe(recipe: Recipe): string {
  const parts = [
    "With `BITBROKER` set to the path of your clone of this repository, in a new folder:",
    block("sh", recipeText(recipe, "install.sh")),
  ];
  for (const file of recipe.files) {
    parts.push(`\`${file}\`:`, block(FENCE[file.split(".").pop()!] ?? "", recipeText(recipe, file)));
  }
  const commands = [...recipe.build, `${recipe.players.map((p) => withPort(p, README_PORT)).join(" & ")} & wait`];
  parts.push(
    `Then, with a broker on port ${README_PORT} expecting 2 bots (\`npm start\` in the clone), build and\n` +
      `play a match (the game prints \`${MATCH_OVER}\`):`,
    block("sh", commands.join("\n")),
  );
  return `\n${parts.join("\n\n")}\n`;
}

/** README.md with every recipe block regenerated (markers included). Throws if one is missing. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const recipe of Object.values(RECIPES)) {
    const begin = out.indexOf(`<!-- recipe:${recipe.sdk} begin`);
    const end = out.indexOf(endMarker(recipe.sdk));
    if (begin === -1 || end < begin) throw new Error(`README.md: no recipe:${recipe.sdk} begin … end block`);
    out = out.slice(0, begin) + beginMarker(recipe.sdk) + renderRecipe(recipe) + out.slice(end);
  }
  return out;
}
