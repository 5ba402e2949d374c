export { ConsentSigner } from './token.js';
export { consentArgsDigest } from './digest.js';
export { MemoryApprovalStore, APPROVAL_TTL_MS, type Approval, type ApprovalStore, type ConsentChannel, type ConsentRecord } from './approvals.js';
export { APP_MIME_TYPE, clientShowsApps, DECIDE_PLAN_TOOL, PLAN_VIEW_URI, UI_EXTENSION } from './app.js';
export { humanConsent, legacyForm, clientCaps, planDigest, type HumanOutcome } from './human.js';
export { LoopbackPortal, HttpPortal, type ApprovalPortal } from './portal.js';
export { type PasskeyAuthority } from './page.js';
export { planDetail, planQuestion, planSchema, planText, parametersText, type Plan } from './plan.js';
export { count, listWords, noun, when } from './words.js';
export {
  obtainConsent,
  consentRequestStateVerify,
  clientCanElicit,
  consentQuestion,
  confirmationRequiredText,
  declinedText,
} from './obtain.js';
