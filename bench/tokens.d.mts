// Types of bench/tokens.mjs for the tests that import it.
export declare const TOKEN_TARGET: { perToolAverage: number; outputSchemasTotal: number };
export declare const GITHUB_PER_TOOL: number;
export declare function countTokens(value: unknown): number;
export declare function appOnlyTool(tool: { _meta?: Record<string, unknown> }): boolean;
export declare function countTools(tools: readonly { name: string; description?: string; inputSchema?: unknown; outputSchema?: unknown; _meta?: Record<string, unknown> }[], count?: (value: unknown) => number):
  { rows: { name: string; model: number; output: number }[]; model: number; output: number; perTool: number };
export declare function listTools(extraEnv?: Record<string, string>): Promise<{ name: string }[]>;
export declare function report(c: ReturnType<typeof countTools>): { text: string; ok: boolean };
