import { describe, expect, it } from 'vitest';
import { oneCaseLetters, patternProblems, providerSchemaProblems } from '../helpers/provider-schema.js';

/** A schema shaped like the server's input schemas, inside the accepted subset. */
function good(): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      RegionId: { type: 'string', maxLength: 40, pattern: '^[a-z]{2,4}(?:-[a-z0-9]{1,20}){1,4}$', description: 'Region.' },
      Ids: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', pattern: '^s-[A-Za-z0-9]{1,62}$' } },
      Status: { type: 'string', description: 'Case-insensitive.', pattern: '^([Pp][Rr][Oo][Gg][Rr][Ee][Ss][Ss][Ii][Nn][Gg]|[Ff][Aa][Ii][Ll][Ee][Dd])$' },
      Kind: { type: 'string', enum: ['system', 'data'] },
      MaxResults: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
      DryRun: { type: 'boolean', default: false },
      Tag: { type: 'array', items: { type: 'object', properties: { Key: { type: 'string' } }, required: ['Key'], additionalProperties: false } },
      Maybe: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    },
    required: ['RegionId'],
    additionalProperties: false,
  };
}

function withProperty(name: string, schema: unknown): Record<string, unknown> {
  const s = good();
  (s.properties as Record<string, unknown>)[name] = schema;
  return s;
}

describe('providerSchemaProblems', () => {
  it('passes a schema inside the OpenAI / Gemini / Anthropic subset', () => {
    expect(providerSchemaProblems(good(), 'tool.inputSchema')).toEqual([]);
  });

  it('refuses "$schema" at the root, naming where and why (Gemini)', () => {
    const problems = providerSchemaProblems({ ...good(), $schema: 'http://json-schema.org/draft-07/schema#' }, 'tool.inputSchema');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^tool\.inputSchema#: keyword "\$schema" is refused: Gemini/);
  });

  it('requires a root of type object (Anthropic input_schema, OpenAI parameters)', () => {
    expect(providerSchemaProblems({ type: 'string' }, 'w').join('\n')).toMatch(/root must be \{"type": "object"\}/);
    expect(providerSchemaProblems({ anyOf: [{ type: 'object' }] }, 'w').join('\n')).toMatch(/not "anyOf"/);
    expect(providerSchemaProblems([], 'w')).toEqual(['w: the schema is not a JSON object']);
  });

  it.each([
    ['$ref', { $ref: '#/$defs/X' }],
    ['const', { type: 'string', const: 'CreateSnapshot' }],
    ['propertyNames', { type: 'object', propertyNames: { type: 'string' } }],
    ['patternProperties', { type: 'object', patternProperties: { '^x': { type: 'string' } } }],
    ['if', { type: 'string', if: { type: 'string' }, then: { type: 'string' } }],
    ['allOf', { type: 'string', allOf: [{ type: 'string' }] }],
    ['oneOf', { type: 'string', oneOf: [{ type: 'string' }] }],
    ['not', { type: 'string', not: { type: 'integer' } }],
    ['exclusiveMinimum', { type: 'number', exclusiveMinimum: 0 }],
    ['examples', { type: 'string', examples: ['a'] }],
    ['title', { type: 'string', title: 'X' }],
    ['someFutureKeyword', { type: 'string', someFutureKeyword: true }],
  ])('refuses keyword %s inside a property', (keyword, schema) => {
    const problems = providerSchemaProblems(withProperty('X', schema), 'w');
    expect(problems.some((p) => p.startsWith('w#/properties/X') && p.includes(`keyword "${keyword}"`))).toBe(true);
  });

  it('refuses $defs at the root and in nested objects', () => {
    const problems = providerSchemaProblems({ ...good(), $defs: { X: { type: 'string' } } }, 'w');
    expect(problems.join('\n')).toMatch(/keyword "\$defs"/);
  });

  it('requires a single type on every property, items and anyOf branch', () => {
    expect(providerSchemaProblems(withProperty('X', { description: 'anything' }), 'w')).toEqual([
      'w#/properties/X: no "type" (every property needs one: OpenAI strict mode, Gemini)',
    ]);
    expect(providerSchemaProblems(withProperty('X', { type: ['string', 'null'] }), 'w').join('\n')).toMatch(/"type" is a list/);
    expect(providerSchemaProblems(withProperty('X', { type: 'array', items: {} }), 'w').join('\n')).toMatch(/X\/items: no "type"/);
    expect(providerSchemaProblems(withProperty('X', { anyOf: [{ type: 'string' }, {}] }), 'w').join('\n')).toMatch(/X\/anyOf\/1: no "type"/);
    expect(providerSchemaProblems(withProperty('X', { type: 'strng' }), 'w').join('\n')).toMatch(/unknown type "strng"/);
    // Nullability is not published: no null type, no type list, no OpenAPI "nullable".
    expect(providerSchemaProblems(withProperty('X', { anyOf: [{ type: 'string' }, { type: 'null' }] }), 'w').join('\n')).toMatch(/X\/anyOf\/1: type "null" is not in Gemini/);
    expect(providerSchemaProblems(withProperty('X', { type: 'string', nullable: true }), 'w').join('\n')).toMatch(/keyword "nullable" is refused: an OpenAPI keyword/);
  });

  it('requires items on arrays, and one schema, not a tuple', () => {
    expect(providerSchemaProblems(withProperty('X', { type: 'array' }), 'w').join('\n')).toMatch(/needs "items"/);
    expect(providerSchemaProblems(withProperty('X', { type: 'array', items: [{ type: 'string' }] }), 'w').join('\n')).toMatch(/not a tuple/);
  });

  it('allows additionalProperties only as false: a record (map) schema is refused', () => {
    const record = { type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} };
    const problems = providerSchemaProblems(withProperty('Parameters', record), 'w');
    expect(problems.join('\n')).toMatch(/keyword "propertyNames"/);
    expect(problems.join('\n')).toMatch(/additionalProperties must be absent or false, found \{\}/);
    expect(providerSchemaProblems({ type: 'object', additionalProperties: true }, 'w').join('\n')).toMatch(/found true/);
  });

  it('checks required names, property names, enums and formats', () => {
    expect(providerSchemaProblems({ ...good(), required: ['Nope'] }, 'w').join('\n')).toMatch(/required names "Nope"/);
    expect(providerSchemaProblems(withProperty('bad-name', { type: 'string' }), 'w').join('\n')).toMatch(/property name must match/);
    expect(providerSchemaProblems(withProperty('X', { type: 'integer', enum: [1, 2] }), 'w').join('\n')).toMatch(/enum must be a non-empty list of strings/);
    expect(providerSchemaProblems(withProperty('X', { type: 'string', format: 'uri' }), 'w').join('\n')).toMatch(/format "uri"/);
    expect(providerSchemaProblems(withProperty('X', { type: 'string', format: 'date-time' }), 'w')).toEqual([]);
  });

  it('refuses a description that claims case-insensitivity over a one-case pattern (list_snapshots Status)', () => {
    const status = { type: 'string', description: '"progressing", "accomplished" or "failed". Case-insensitive. Optional.', pattern: '^(progressing|accomplished|failed)$' };
    const problems = providerSchemaProblems(withProperty('Status', status), 'list_snapshots.inputSchema');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^list_snapshots\.inputSchema#\/properties\/Status: the description says case-insensitive/);
    // The same pattern without the claim is fine; an enum with the claim needs every casing.
    expect(providerSchemaProblems(withProperty('Status', { ...status, description: 'Lower case.' }), 'w')).toEqual([]);
    expect(providerSchemaProblems(withProperty('K', { type: 'string', description: 'case insensitive', enum: ['a', 'A', 'b'] }), 'w').join('\n')).toMatch(/other casings of "b"/);
    expect(providerSchemaProblems(withProperty('K', { type: 'string', description: 'case insensitive', enum: ['a', 'A'] }), 'w')).toEqual([]);
  });
});

describe('patternProblems', () => {
  it('accepts plain ECMAScript patterns, including \\x escapes and non-capturing groups', () => {
    expect(patternProblems('^[\\x20-\\x7E]{1,64}$', 'p')).toEqual([]);
    expect(patternProblems('^[a-z]{2,4}(?:-[a-z0-9]{1,20}){1,4}$', 'p')).toEqual([]);
  });

  it('refuses inline flags, Python syntax and patterns that do not compile', () => {
    expect(patternProblems('(?i)^abc$', 'p').join('\n')).toMatch(/inline flags/);
    expect(patternProblems('^(?i:abc)$', 'p').join('\n')).toMatch(/inline flags/);
    expect(patternProblems('^(?P<x>a)$', 'p').join('\n')).toMatch(/Python named groups/);
    expect(patternProblems('\\Aabc\\Z', 'p').join('\n')).toMatch(/\\A, \\Z or \\z/);
    expect(patternProblems('^[a-$', 'p').join('\n')).toMatch(/does not compile/);
    expect(patternProblems('^\\-a$', 'p').join('\n')).toMatch(/with flag "u"/); // identity escape outside a class
    expect(patternProblems(5, 'p')).toEqual(['p: pattern must be a string']);
  });
});

describe('oneCaseLetters', () => {
  it('finds literal letters and one-case classes, ignoring escapes, quantifiers and group syntax', () => {
    expect(oneCaseLetters('^(system|data)$')).toEqual(['a', 'd', 'e', 'm', 's', 't', 'y']);
    expect(oneCaseLetters('^[A-Za-z0-9]{1,62}$')).toEqual([]);
    expect(oneCaseLetters('^[Ss][Yy]\\d+\\w*(?:[Aa])$')).toEqual([]);
    expect(oneCaseLetters('^[a-f]$')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(oneCaseLetters('^[^a-z]$')).toHaveLength(26); // a negated one-case class
    expect(oneCaseLetters('^\\x41\\u0042(?<name>[Qq])\\k<name>$')).toEqual([]);
  });
});
