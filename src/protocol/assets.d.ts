// Text imports (`with { type: "text" }`): Bun inlines the file's contents at build time.
declare module "*.proto" {
  const text: string;
  export default text;
}
