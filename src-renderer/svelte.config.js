// Read by svelte-check and eslint-plugin-svelte; Vite's plugin takes the same options inline.
export default { compilerOptions: { runes: true } };
