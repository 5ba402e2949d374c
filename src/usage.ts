import { SETTINGS } from './settings.js';

const WIDTH = 100;

/** Wraps words to `width` columns, continuation lines indented by `indent`. */
function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) { lines.push(line); line = word; } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * `--help`: built from the settings list (src/settings.ts), so it names what the docs name, and
 * fits 100 columns. It goes to stdout: the protocol is not running when it is asked for.
 */
export function usage(): string {
  const col = 38;
  const rows = SETTINGS.filter((s) => s.help).map((s) => {
    const name = s.flag ? `${s.flag} (${s.env})` : s.env;
    const text = `${s.meaning} [${s.value}]`;
    const head = name.length + 2 < col ? [`  ${name.padEnd(col - 2)}`] : [`  ${name}`, ' '.repeat(col)];
    const body = wrap(text, col);
    const first = head.length === 1 ? `${head[0]}${body[0]}` : `${head[0]}\n${head[1]}${body[0]}`;
    return [first, ...body.slice(1).map((l) => ' '.repeat(col) + l)].join('\n');
  });
  return [
    'swas-image-mcp: MCP server for Alibaba Cloud Simple Application Server (SWAS) custom images',
    '',
    'Usage: swas-image-mcp [options]          stdio server (the default)',
    '       swas-image-mcp --http [HOST:]PORT  Streamable HTTP at /mcp',
    '',
    'Options and their environment variables [default]:',
    ...rows,
    '  --help, --version',
    '',
    ...wrap('Every setting, with its default: docs in the package (README.md, "Configuration").', 0),
  ].join('\n');
}
