// Settings files (rooms, tokens, arena): TOML (.toml) or YAML (.yaml, .yml), parsed by Bun's own
// parsers, with one clear error for a wrong extension or a file that does not parse. Pure.

export type ParsedFile = { readonly kind: "data"; readonly data: unknown } | { readonly kind: "errors"; readonly errors: readonly string[] };

/** Parses `text`, named `name` (its path: the extension picks the format); `what` names the kind of file in errors. */
export function parseSettingsFile(text: string, name: string, what: string): ParsedFile {
  const toml = /\.toml$/i.test(name);
  if (!toml && !/\.ya?ml$/i.test(name)) return { kind: "errors", errors: [`${name}: a ${what} ends in .toml, .yaml or .yml`] };
  try {
    return { kind: "data", data: toml ? Bun.TOML.parse(text) : Bun.YAML.parse(text) };
  } catch (e) {
    return { kind: "errors", errors: [`${name}: not valid ${toml ? "TOML" : "YAML"}: ${(e as Error).message}`] };
  }
}
