// Passkeys in the browser (Auth.js's WebAuthn provider), loaded by enhance.js on pages that
// have passkey controls. Plain JavaScript, no wasm: the sign-in page stays light.
//
// A page offers passkeys with `<template data-passkey="signin|add" data-base="/api/auth">`
// holding a form; without JavaScript a template shows nothing, so there is no passkey button
// that could not work. This script puts the form in place and runs the ceremony Auth.js's
// `signIn("passkey")` runs, with the same requests:
//   1. GET  <base>/webauthn-options/passkey[?action=register][&email=]  -> {action, options}
//      (and the sealed challenge cookie);
//   2. navigator.credentials.create() or .get() with those options;
//   3. POST <base>/callback/passkey  action, data (the credential as JSON, in the shape
//      @simplewebauthn/browser produces), csrfToken, callbackUrl  -> {url}.
// On the sign-in page the browser's autofill also offers passkeys (`mediation: "conditional"`)
// in the email field, which has `autocomplete="username webauthn"`.

/** base64url (no padding) of bytes. */
function toB64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes of base64url (padded or not). */
function fromB64url(value) {
  const b64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const text = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0)).buffer;
}

function withIds(list) {
  return (list || []).map((c) => ({ ...c, id: fromB64url(c.id) }));
}

/** The JSON options (`PublicKeyCredentialCreationOptionsJSON`) as the browser API takes them. */
function creationOptions(json) {
  return {
    ...json,
    challenge: fromB64url(json.challenge),
    user: { ...json.user, id: fromB64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials),
  };
}

/** The JSON options (`PublicKeyCredentialRequestOptionsJSON`) as the browser API takes them. */
function requestOptions(json) {
  return { ...json, challenge: fromB64url(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

/** A new credential as JSON (`RegistrationResponseJSON`, @simplewebauthn/browser's shape). */
function registrationJSON(credential) {
  const r = credential.response;
  return {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      attestationObject: toB64url(r.attestationObject),
      transports: typeof r.getTransports === 'function' ? r.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
  };
}

/** An assertion as JSON (`AuthenticationResponseJSON`, @simplewebauthn/browser's shape). */
function authenticationJSON(credential) {
  const r = credential.response;
  return {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: r.userHandle ? toB64url(r.userHandle) : undefined,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
  };
}

async function fetchOptions(base, params, signal) {
  const query = new URLSearchParams(params).toString();
  // The signal matters: an autofill request cancelled by a click must not answer after the
  // click's own request and replace its challenge cookie.
  const response = await fetch(`${base}/webauthn-options/passkey${query ? `?${query}` : ''}`, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
    signal,
  });
  if (!response.ok) throw new Error('options');
  return response.json();
}

/** Posts the answer; resolves to the URL Auth.js sends the browser to. */
async function postAnswer(base, form, action, data) {
  const body = new URLSearchParams({
    action,
    data: JSON.stringify(data),
    csrfToken: form.elements.csrfToken?.value ?? '',
    callbackUrl: form.elements.callbackUrl?.value ?? location.href,
  });
  if (form.elements.name?.value) body.set('name', form.elements.name.value);
  const response = await fetch(`${base}/callback/passkey`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Auth-Return-Redirect': '1' },
    body,
  });
  const { url } = await response.json();
  return url;
}

/** Goes to `url` through enhance.js (no full page load), else the browser. */
function go(url) {
  const event = new CustomEvent('leptos-auth:navigate', { detail: url, cancelable: true });
  if (document.dispatchEvent(event)) location.assign(url);
}

function say(form, text) {
  const out = form.querySelector('[data-passkey-message]');
  if (out) out.textContent = text;
}

/** Runs one ceremony: the options, the authenticator, the answer. */
async function ceremony(form, base, params, signal) {
  const { mediation, ...query } = params;
  const { action, options } = await fetchOptions(base, query, signal);
  let data;
  if (action === 'register') {
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options), signal });
    data = registrationJSON(credential);
  } else {
    const request = { publicKey: requestOptions(options), signal };
    if (mediation) request.mediation = mediation;
    const credential = await navigator.credentials.get(request);
    data = authenticationJSON(credential);
  }
  return postAnswer(base, form, action, data);
}

const CANCELLED = 'The passkey request was cancelled or timed out.';

function explain(error) {
  if (error?.name === 'NotAllowedError' || error?.name === 'AbortError') return CANCELLED;
  if (error?.name === 'SecurityError') {
    return 'Passkeys need the site opened by its name (for example localhost), not an IP address.';
  }
  if (error?.name === 'InvalidStateError') return 'This authenticator already has a passkey for this account.';
  return 'The passkey could not be used. Please try again, or sign in another way.';
}

let autofill = null;

/** Offers passkeys in the email field's autofill, while the page is open. */
async function startAutofill(form, base) {
  autofill?.abort();
  if (!(await window.PublicKeyCredential?.isConditionalMediationAvailable?.())) return;
  const controller = new AbortController();
  autofill = controller;
  form.dataset.passkeyAutofill = 'waiting';
  try {
    const url = await ceremony(form, base, { action: 'authenticate', mediation: 'conditional' }, controller.signal);
    go(url);
  } catch (error) {
    if (!controller.signal.aborted) form.dataset.passkeyAutofill = 'failed';
  }
}

function wire(form, mode, base) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    autofill?.abort();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    say(form, '');
    try {
      const params = {};
      if (mode === 'add') params.action = 'register';
      const email = form.elements.email?.value?.trim();
      if (email) params.email = email;
      const url = await ceremony(form, base, params);
      const error = new URL(url, location.href).searchParams.get('error');
      // On the account page a refusal is told in place; elsewhere the page Auth.js sends to says it.
      if (mode === 'add' && error) say(form, 'The passkey could not be added. Please try again.');
      else go(url);
    } catch (error) {
      say(form, explain(error));
    } finally {
      if (button) button.disabled = false;
    }
  });
  if (mode === 'signin') startAutofill(form, base);
}

/** Puts each passkey template's form in place (once) and wires it. */
export function enhance(root) {
  if (!window.PublicKeyCredential) return;
  for (const template of root.querySelectorAll('template[data-passkey]')) {
    if (template.nextElementSibling?.hasAttribute('data-passkey-form')) continue;
    const form = template.content.firstElementChild?.cloneNode(true);
    if (!form) continue;
    template.after(form);
    wire(form, template.dataset.passkey, template.dataset.base || '/api/auth');
  }
}

// For tests and custom pages: the JSON shapes, as @simplewebauthn/browser's.
export const json = { registrationJSON, authenticationJSON, creationOptions, requestOptions, toB64url, fromB64url };
