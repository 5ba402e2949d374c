import type { CallToolResult } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { errorText, explain, hasExplanation } from '../explain/catalog.js';
import type { ToolContext } from './common.js';

/**
 * Input the tool's schema refuses, answered like every other failure: `Error` with Code, Stage
 * `input` and NextSteps, and a message naming each field and the rule it broke (only those).
 * The SDK's own answer to a failed schema is bare text with no structuredContent.
 */

type Issue = z.core.$ZodIssue;

/** A tool's message may start with the API's code for the rule ("InvalidParam.IllegalImageName: …"). */
const CODE_PREFIX = /^([A-Z][A-Za-z0-9]*(?:\.[A-Z][A-Za-z0-9]*)*): (?=[A-Z])/;

export const INPUT_CODE = 'InvalidParameter';

function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

/** An unknown key is the caller's text: shown bounded and without control characters or quotes. */
function keyWords(key: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = key.replace(/[\u0000-\u001f\u007f-\u009f"\\]/g, '');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}

/** zod's default messages name no field; a tool's own messages do. */
function withField(field: string, message: string): string {
  if (!field) return message;
  const last = field.replace(/\[\d+\]$/, '').split('.').at(-1)!;
  return message.includes(last) ? message : `${field}: ${message}`;
}

/** One issue in words, and the API code its message carried, if any. */
function describe(issue: Issue, argumentNames: readonly string[]): { text: string; code?: string } {
  const field = fieldOf(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const where = field ? ` inside ${field}` : '';
      const known = !field && argumentNames.length ? ` (its arguments are ${argumentNames.join(', ')})` : '';
      return { text: `${issue.keys.map((k) => `"${keyWords(k)}"`).join(', ')} ${issue.keys.length > 1 ? 'are not arguments' : 'is not an argument'} of this tool${where}${known}` };
    }
    case 'invalid_type':
      if (issue.input === undefined) return { text: `${field || 'The arguments'} is required (a ${issue.expected})` };
      return { text: `${field || 'The arguments'} must be a ${issue.expected}` };
    case 'invalid_value':
      if (issue.message.startsWith('Invalid option')) {
        return { text: `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` };
      }
      break;
    default:
      break;
  }
  const prefixed = CODE_PREFIX.exec(issue.message);
  const message = prefixed ? issue.message.slice(prefixed[0].length) : issue.message;
  return { text: withField(field, message), ...(prefixed ? { code: prefixed[1] } : {}) };
}

/** The refusal's code and message for a failed parse. */
export function describeIssues(issues: readonly Issue[], argumentNames: readonly string[] = []): { code: string; message: string } {
  const described = issues.map((i) => describe(i, argumentNames));
  const texts = [...new Set(described.map((d) => d.text.replace(/\.$/, '')))];
  const codes = new Set(described.map((d) => d.code));
  const only = codes.size === 1 ? [...codes][0] : undefined;
  const code = only !== undefined && hasExplanation(only) ? only : INPUT_CODE;
  return { code, message: `${texts.join('; ')}.` };
}

const EMPTY: Record<string, unknown> = { string: '', array: [], boolean: false, number: 0 };

/**
 * The structured part of a refusal, valid against the tool's output schema. A write tool's output
 * requires what it was asked (RegionId, ImageId, Checks, …): each is taken from the arguments the
 * schema did not refuse, or left empty ("", [], false) — never invented. If a required field cannot be left
 * empty (an enum), the answer carries Error and Simulated alone.
 */
export function refusalContent(schema: z.ZodType, raw: unknown, refused: ReadonlySet<string>, base: Record<string, unknown>): Record<string, unknown> {
  const args = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const candidate: Record<string, unknown> = { ...base };
  for (let round = 0; round < 3; round++) {
    const parsed = schema.safeParse(candidate);
    if (parsed.success) return parsed.data as Record<string, unknown>;
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (typeof key !== 'string' || key in base) continue;
      if (round === 0 && args[key] !== undefined && !refused.has(key)) candidate[key] = args[key];
      else if (issue.code === 'invalid_type' && issue.expected in EMPTY) candidate[key] = EMPTY[issue.expected];
    }
  }
  return base;
}

/** The failure answer for input a tool's schema refused. Nothing was sent. */
export function inputRefusal(tool: { name: string; outputSchema: () => z.ZodType }, error: z.ZodError, raw: unknown, argumentNames: readonly string[], ctx: ToolContext): CallToolResult {
  const { code, message } = describeIssues(error.issues, argumentNames);
  const { error: explained, why } = explain({ code, message, stage: 'input', fromApi: false }, { action: tool.name });
  const refused = new Set(error.issues.map((i) => String(i.path[0] ?? '')));
  const structured = refusalContent(tool.outputSchema(), raw, refused, { Simulated: ctx.simulated, Error: explained });
  return { isError: true, content: [{ type: 'text', text: errorText(explained, why) }], structuredContent: structured };
}
