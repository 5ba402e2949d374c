/**
 * Does a published JSON Schema (a tool's inputSchema or outputSchema exactly as tools/list sends
 * it) stay inside what the big model providers accept for function/tool declarations?
 *
 * MCP clients (Gemini CLI, Zed, LangChain, Mastra, the Vercel AI SDK, OpenAI's Agents SDK …) hand
 * these schemas to a provider nearly verbatim; a keyword one provider does not know makes it refuse
 * the WHOLE request, so every tool of the server becomes unusable. The rule set below is the
 * intersection that is safe everywhere, chosen conservatively: a keyword is allowed only when all
 * three providers are documented to accept it (an allow-list, not a deny-list), so a new zod or SDK
 * version that starts emitting something unknown fails here first.
 *
 * Sources (looked up 2026-11-29):
 *  - Google Gemini / Vertex AI "Schema" object, "a select subset of an OpenAPI 3.0 schema object":
 *    fields type, format, title, description, nullable, default, items, minItems, maxItems, enum
 *    (strings only), properties, required, minLength, maxLength, pattern, minimum, maximum, anyOf,
 *    propertyOrdering, example.
 *      https://cloud.google.com/vertex-ai/docs/reference/rest/v1/Schema
 *      https://docs.cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Schema
 *    Gemini Developer API string formats: only "enum" and "date-time", "otherwise requests will fail":
 *      https://firebase.google.com/docs/reference/js/ai.schemashared
 *    Parameter names: "must start with a letter or an underscore and must only contain chars a-z,
 *    A-Z, 0-9, or underscores with a maximum length of 64":
 *      https://cloud.google.com/vertex-ai/docs/reference/rest/v1beta1/FunctionDeclaration
 *    Observed 400 "Invalid JSON payload received. Unknown name …" rejections from Gemini:
 *      "$schema"                      github.com/router-for-me/CLIProxyAPI/issues/97
 *      "$schema", "additionalProperties", "const", "exclusiveMinimum", "propertyNames"
 *                                     github.com/openswarm-ai/openswarm/issues/24
 *      "const" (inside anyOf)         github.com/zed-industries/zed/issues/44875
 *      "type": [..] (a list)          github.com/zed-industries/zed/issues/53919 ("Proto field is not repeating")
 *      "examples", "title", "$defs"   github.com/datastax/astra-assistants-api/issues/73 (Vertex, 2024)
 *      "additionalProperties" in items github.com/nanbingxyz/5ire/issues/42
 *    Pydantic AI's Gemini transformer strips "$schema", "const", "discriminator", "examples",
 *    "title", "exclusiveMinimum", "exclusiveMaximum" for the same reason
 *    (pydantic_ai/profiles/google.py, GoogleJsonSchemaTransformer).
 *  - OpenAI function calling / Structured Outputs ("Supported schemas"): root must be an object and
 *    not anyOf; strict mode needs additionalProperties: false on every object and supports no
 *    allOf / oneOf / not / if-then-else / patternProperties / propertyNames; arrays need "items".
 *    (OpenAI resolves $ref/$defs, Gemini's OpenAPI subset does not, so they are refused.)
 *      https://platform.openai.com/docs/guides/structured-outputs#supported-schemas
 *  - Anthropic Messages API tools: "input_schema" is a JSON Schema whose root must be type "object".
 *      https://docs.anthropic.com/en/docs/build-with-claude/tool-use
 *
 * Decisions where the providers disagree:
 *  - additionalProperties: OpenAI strict mode REQUIRES false on every object; old Gemini versions
 *    rejected the keyword (5ire#42, openswarm#24) but every Gemini adapter we know of strips it
 *    (the Vercel AI SDK's convertJSONSchemaToOpenAPISchema has a test "should remove
 *    additionalProperties and $schema"), and current Gemini schemas carry it. So: allowed only as
 *    `false`. A schema-valued additionalProperties (a record/map) is refused: strict mode cannot
 *    express it and Gemini's proto has no map type.
 *  - default: Gemini lists it ("included … so that developers who send schemas with a default field
 *    don't get unknown-field errors"); OpenAI accepts it outside strict mode, and strict-mode
 *    converters (which also make every field required + nullable) drop it. Allowed.
 *  - minLength / maxLength / minimum / maximum / minItems / maxItems / pattern: in Gemini's Schema
 *    and accepted by OpenAI function calling (strict mode documents pattern, minimum/maximum and
 *    minItems/maxItems; strict-mode converters drop what it does not take). Allowed.
 *  - null: Gemini's subset has neither a "null" type nor a list of types, and "nullable" is not
 *    JSON Schema. Issue 8 item 9 is met by accepting null in the server, not by publishing it.
 *    So type "null", type lists and "nullable" are refused.
 *  - title: in Gemini's current Schema but rejected by Vertex in 2024 and stripped by Pydantic AI
 *    (googleapis/python-genai#1732). Refused, to be safe; descriptions carry the text.
 *
 * Two checks are about clients rather than providers (issue 8 item 8): every `pattern` must be a
 * plain ECMAScript regular expression (no inline flags such as "(?i)", no Python-only syntax),
 * because LangChain, Mastra and the AI SDK compile it with `new RegExp(pattern)` and refuse
 * arguments before the server sees them; and a description that promises case-insensitivity must
 * come with a pattern/enum that accepts both cases (a zod `/i` flag does not survive conversion).
 */

type Json = Record<string, unknown>;

/** Keywords a schema node may carry (property names inside `properties` are not keywords). */
const ALLOWED_KEYWORDS = new Set([
  'type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'format',
  'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'default',
  'anyOf',
]);

/** Why a keyword is refused, for the ones we know a provider rejects (others: "not in the subset"). */
const REFUSED_BECAUSE: Record<string, string> = {
  $schema: 'Gemini rejects "$schema" (Unknown name "$schema" … Cannot find field)',
  $id: 'not in Gemini\'s Schema subset',
  $ref: 'references are not resolved by Gemini and need $defs; inline the schema',
  $defs: 'Gemini rejects "$defs"; inline the schema',
  definitions: 'Gemini rejects "definitions"; inline the schema',
  $comment: 'not in Gemini\'s Schema subset',
  const: 'Gemini rejects "const"; use a one-value enum',
  propertyNames: 'Gemini rejects "propertyNames" and OpenAI strict mode does not support it',
  patternProperties: 'OpenAI strict mode and Gemini do not support "patternProperties"',
  if: 'conditional schemas (if/then/else) are not supported by OpenAI strict mode or Gemini',
  then: 'conditional schemas (if/then/else) are not supported by OpenAI strict mode or Gemini',
  else: 'conditional schemas (if/then/else) are not supported by OpenAI strict mode or Gemini',
  allOf: 'OpenAI strict mode and Gemini do not support "allOf"',
  oneOf: 'OpenAI strict mode and Gemini do not support "oneOf"; use anyOf',
  not: 'OpenAI strict mode and Gemini do not support "not"',
  exclusiveMinimum: 'Gemini rejects "exclusiveMinimum"; use minimum',
  exclusiveMaximum: 'Gemini rejects "exclusiveMaximum"; use maximum',
  examples: 'Gemini rejects "examples"',
  title: 'Vertex AI rejected "title" and adapters strip it; put the text in description',
  dependentRequired: 'not supported by OpenAI strict mode or Gemini',
  dependentSchemas: 'not supported by OpenAI strict mode or Gemini',
  dependencies: 'not supported by OpenAI strict mode or Gemini',
  prefixItems: 'tuples are not supported by Gemini',
  unevaluatedProperties: 'not supported by OpenAI strict mode or Gemini',
  unevaluatedItems: 'not supported by OpenAI strict mode or Gemini',
  contains: 'not supported by OpenAI strict mode or Gemini',
  nullable: 'an OpenAPI keyword, not JSON Schema: OpenAI strict mode does not know it; accept null in the server without publishing it',
};

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);
const FORMATS: Record<string, Set<string>> = {
  string: new Set(['enum', 'date-time']),
  number: new Set(['float', 'double']),
  integer: new Set(['int32', 'int64']),
};
const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const CASE_INSENSITIVE_CLAIM = /case[-\s]?insensitive/i;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every problem found, each starting with `where` and a JSON-pointer-like path; [] when clean. */
export function providerSchemaProblems(schema: unknown, where: string): string[] {
  const problems: string[] = [];
  if (!isObject(schema)) return [`${where}: the schema is not a JSON object`];
  // Anthropic: input_schema root must be type "object"; OpenAI: parameters root is an object, not anyOf.
  if (schema.type !== 'object') problems.push(`${where}: the root must be {"type": "object"} (Anthropic, OpenAI), found type ${JSON.stringify(schema.type)}`);
  for (const k of ['anyOf', 'oneOf', 'allOf', 'enum', 'not']) {
    if (k in schema) problems.push(`${where}: the root must be a plain object schema, not "${k}" (OpenAI)`);
  }
  checkNode(schema, `${where}#`, problems);
  return problems;
}

function checkNode(node: unknown, at: string, problems: string[]): void {
  if (!isObject(node)) { problems.push(`${at}: a schema must be a JSON object, found ${JSON.stringify(node)}`); return; }

  for (const key of Object.keys(node)) {
    if (ALLOWED_KEYWORDS.has(key)) continue;
    problems.push(`${at}: keyword "${key}" is refused: ${REFUSED_BECAUSE[key] ?? 'not in the subset OpenAI, Gemini and Anthropic all accept'}`);
  }

  const type = node.type;
  if (type === undefined) {
    if (Array.isArray(node.anyOf)) {
      node.anyOf.forEach((branch, i) => checkNode(branch, `${at}/anyOf/${i}`, problems));
    } else {
      problems.push(`${at}: no "type" (every property needs one: OpenAI strict mode, Gemini)`);
    }
  } else if (Array.isArray(type)) {
    problems.push(`${at}: "type" is a list ${JSON.stringify(type)}; Gemini needs one type (use nullable or anyOf)`);
  } else if (type === 'null') {
    problems.push(`${at}: type "null" is not in Gemini's OpenAPI 3.0 subset (it has no null type); accept null in the server without publishing it`);
  } else if (typeof type !== 'string' || !TYPES.has(type)) {
    problems.push(`${at}: unknown type ${JSON.stringify(type)}`);
  } else if (Array.isArray(node.anyOf)) {
    problems.push(`${at}: "type" and "anyOf" together; give the type inside each branch`);
  }

  if (node.description !== undefined && typeof node.description !== 'string') problems.push(`${at}: description must be a string`);

  if (node.enum !== undefined) {
    if (!Array.isArray(node.enum) || node.enum.length === 0 || !node.enum.every((v) => typeof v === 'string')) {
      problems.push(`${at}: enum must be a non-empty list of strings (Gemini's enum is string[])`);
    }
  }

  if (node.format !== undefined) {
    const ok = typeof type === 'string' && typeof node.format === 'string' && FORMATS[type]?.has(node.format) === true;
    if (!ok) problems.push(`${at}: format ${JSON.stringify(node.format)} for type ${JSON.stringify(type)} is not one Gemini accepts`);
  }

  if (node.pattern !== undefined) problems.push(...patternProblems(node.pattern, at));
  problems.push(...caseClaimProblems(node, at));

  if (type === 'array' || node.items !== undefined) {
    if (node.items === undefined) problems.push(`${at}: an array needs "items" (OpenAI rejects arrays without it)`);
    else if (Array.isArray(node.items)) problems.push(`${at}: "items" must be one schema, not a tuple (Gemini)`);
    else checkNode(node.items, `${at}/items`, problems);
  }

  if (type === 'object' || node.properties !== undefined) {
    const props = node.properties;
    if (props !== undefined && !isObject(props)) problems.push(`${at}: properties must be an object`);
    const names = isObject(props) ? Object.keys(props) : [];
    for (const name of names) {
      if (!PARAMETER_NAME.test(name)) problems.push(`${at}/properties/${name}: property name must match ${PARAMETER_NAME} (Gemini)`);
      checkNode((props as Json)[name], `${at}/properties/${name}`, problems);
    }
    if (node.required !== undefined) {
      if (!Array.isArray(node.required) || !node.required.every((r) => typeof r === 'string')) {
        problems.push(`${at}: required must be a list of property names`);
      } else {
        for (const r of node.required) if (!names.includes(r)) problems.push(`${at}: required names "${r}", which is not in properties`);
      }
    }
    const ap = node.additionalProperties;
    if (ap !== undefined && ap !== false) {
      problems.push(`${at}: additionalProperties must be absent or false, found ${JSON.stringify(ap)} (OpenAI strict mode needs false; Gemini has no map type)`);
    }
  }
}

/** A `pattern` must be a plain ECMAScript regex that every client's `new RegExp(p)` compiles. */
export function patternProblems(pattern: unknown, at: string): string[] {
  if (typeof pattern !== 'string') return [`${at}: pattern must be a string`];
  const problems: string[] = [];
  if (/\(\?[a-zA-Z-]+[:)]/.test(pattern)) problems.push(`${at}: pattern ${JSON.stringify(pattern)} uses inline flags such as (?i); ECMAScript clients cannot compile it`);
  if (/\(\?P[<=>]/.test(pattern)) problems.push(`${at}: pattern ${JSON.stringify(pattern)} uses Python named groups (?P…)`);
  if (/(^|[^\\])(\\\\)*\\[AZz]/.test(pattern)) problems.push(`${at}: pattern ${JSON.stringify(pattern)} uses \\A, \\Z or \\z, which ECMAScript does not know`);
  for (const flags of ['', 'u']) {
    try { new RegExp(pattern, flags); } catch (e) {
      problems.push(`${at}: pattern ${JSON.stringify(pattern)} does not compile as an ECMAScript regex${flags ? ` with flag "${flags}"` : ''}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/**
 * Heuristic for "the description says case-insensitive but the schema is not": every letter the
 * pattern can match must be matchable in both cases, and an enum must list every value in both
 * upper and lower case.
 */
function caseClaimProblems(node: Json, at: string): string[] {
  if (typeof node.description !== 'string' || !CASE_INSENSITIVE_CLAIM.test(node.description)) return [];
  const problems: string[] = [];
  if (typeof node.pattern === 'string') {
    const oneCase = oneCaseLetters(node.pattern);
    if (oneCase.length > 0) {
      problems.push(`${at}: the description says case-insensitive, but pattern ${JSON.stringify(node.pattern)} accepts only one case of the letters ${oneCase.join('')}; publish what is accepted (e.g. [Aa]) or drop the claim`);
    }
  }
  if (Array.isArray(node.enum)) {
    const values = node.enum.filter((v): v is string => typeof v === 'string');
    const missing = values.filter((v) => !values.includes(v.toUpperCase()) || !values.includes(v.toLowerCase()));
    if (missing.length > 0) problems.push(`${at}: the description says case-insensitive, but enum lacks other casings of ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
  }
  return problems;
}

/** Letters the pattern matches in one case only (sorted, lower-cased, unique). Exported for tests. */
export function oneCaseLetters(pattern: string): string[] {
  const found = new Set<string>();
  const noteClass = (cls: string): void => {
    let re: RegExp;
    try { re = new RegExp(`^${cls}$`); } catch { return; }
    for (let c = 97; c <= 122; c++) {
      const lower = String.fromCharCode(c);
      if (re.test(lower) !== re.test(lower.toUpperCase())) found.add(lower);
    }
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 'x') i += 4;
      else if (next === 'u') i += pattern[i + 2] === '{' ? pattern.indexOf('}', i) + 1 - i : 6;
      else if (next === 'p' || next === 'P' || next === 'k') i = pattern.indexOf(next === 'k' ? '>' : '}', i) + 1;
      else if (next === 'c') i += 3;
      else i += 2; // \d \w \s \b \. \- …: classes and escaped punctuation; \w covers both cases
      if (i <= 0) break;
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      noteClass(pattern.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (ch === '(' && pattern[i + 1] === '?') {
      // (?: (?= (?! (?<= (?<! (?<name>
      if (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') i = pattern.indexOf('>', i) + 1;
      else i += pattern[i + 2] === '<' ? 4 : 3;
      if (i <= 0) break;
      continue;
    }
    if (ch === '{') { const end = pattern.indexOf('}', i); i = end < 0 ? i + 1 : end + 1; continue; }
    if (/[a-zA-Z]/.test(ch)) found.add(ch.toLowerCase());
    i++;
  }
  return [...found].sort();
}
