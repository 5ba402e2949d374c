import { el, startView } from '../shared/app.js';

const root = document.getElementById('app')!;
root.replaceChildren(el('h1', { text: 'Progress' }));
void startView('progress', {});
