export function lazySchemaSource(source: string, file: string, inFunctions?: RegExp): { contents: string; count: number };
export const LAZY_SCHEMA_FILES: RegExp;
export const SERVER_WIRE_FILE: RegExp;
export const WIRE_BUILDERS: RegExp;
export const lazySdkSchemas: { name: string; setup(build: unknown): void };
