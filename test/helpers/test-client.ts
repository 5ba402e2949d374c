import { Client, type ClientOptions, type JsonSchemaType, type JsonSchemaValidator, type jsonSchemaValidator } from '@modelcontextprotocol/client';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/client/validators/ajv';

const ajv = new AjvJsonSchemaValidator();
const compiled = new Map<string, JsonSchemaValidator<unknown>>();

/**
 * The client's check of each tool's structured output against its outputSchema, compiled once per
 * distinct schema for the whole worker: a new client otherwise builds its own ajv and recompiles
 * every schema it meets (~2.4 s of CPU over the suite). Same ajv engine and options as the
 * client's default, so the check itself is unchanged.
 */
export const sharedValidator: jsonSchemaValidator = {
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let validator = compiled.get(key);
    if (!validator) {
      validator = ajv.getValidator<unknown>(schema);
      compiled.set(key, validator);
    }
    return validator as JsonSchemaValidator<T>;
  },
};

/** An SDK client for tests, sharing the compiled output-schema checks (see sharedValidator). */
export function testClient(name = 'in-process-test', options: ClientOptions = {}): Client {
  return new Client({ name, version: '1.0.0' }, { jsonSchemaValidator: sharedValidator, ...options });
}
