// Progress view: the progress panel for the call the host rendered it with.
import { el, startView, type ToolCallResult } from '../shared/app.js';
import { progressPanel, type ProgressPanel } from './panel.js';

const root = document.getElementById('app')!;
let panel: ProgressPanel | undefined;
let args: Record<string, unknown> = {};
let toolName: () => string | undefined = () => undefined;
let early: ToolCallResult | undefined;

root.replaceChildren(el('h1', { text: 'Progress' }), el('p', { attrs: { id: 'headline', role: 'status' }, text: 'Waiting for the call\u2019s result…' }));
void startView('progress', {
  onToolInput: (a) => { args = a; },
  onToolResult: (result) => { if (panel) panel.show(toolName(), args, result); else early = result; },
  onContext: () => panel?.render(),
  onTeardown: () => panel?.stop(),
}).then((v) => {
  toolName = v.toolName;
  panel = progressPanel(root, v);
  if (early) panel.show(toolName(), args, early);
  else panel.render();
}, (err: unknown) => {
  root.append(el('p', { class: 'error', attrs: { role: 'alert' }, text: `Could not connect to the host: ${err instanceof Error ? err.message : String(err)}` }));
});
