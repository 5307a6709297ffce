// Text imports (`with { type: "text" }`) of the page's files: Bun inlines them at build time, so
// the compiled executable carries the page.
declare module "*.htm" {
  const text: string;
  export default text;
}
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "*.js" {
  const text: string;
  export default text;
}
