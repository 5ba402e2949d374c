// esbuild bundles the CSS a view imports into its page.
declare module '*.css';
