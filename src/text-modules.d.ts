/** Markdown and YAML imported as text (wrangler's Text module rule, Workers build only). */
declare module '*.md' {
  const text: string
  export default text
}
declare module '*.yaml' {
  const text: string
  export default text
}
