export { ConsentSigner, CONSENT_TTL_MS, MIN_KEY_BYTES, type Binding, type Verdict, type Purpose } from './token.js';
export { consentArgsDigest } from './digest.js';
export { MemoryApprovalStore, APPROVAL_TTL_MS, type Approval, type ApprovalStore, type ConsentChannel, type ConsentRecord } from './approvals.js';
export { APP_MIME_TYPE, clientShowsApps, DECIDE_PLAN_TOOL, PLAN_VIEW_URI, UI_EXTENSION } from './app.js';
export { humanConsent, legacyForm, clientCaps, planDigest, type HumanOutcome } from './human.js';
export { LoopbackPortal, HttpPortal, type ApprovalPortal } from './portal.js';
export { serveApprovalPage, APPROVAL_PATH, type PasskeyAuthority } from './page.js';
export { planDetail, planDetailSchema, planQuestion, planSchema, planText, parametersText, type Plan, type PlanDetail } from './plan.js';
export { count, listWords, named, noun, when } from './words.js';
export {
  obtainConsent,
  consentRequestStateVerify,
  clientCanElicit,
  consentQuestion,
  confirmationRequiredText,
  declinedText,
  consentAnswerSchema,
  CONSENT_INPUT_KEY,
  type ConsentCall,
  type ConsentOutcome,
  type ObtainConsentInput,
  type RequiredReason,
} from './obtain.js';
