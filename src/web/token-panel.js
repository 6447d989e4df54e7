// The API token form: opened from the header, or by itself when the server answers 401. The
// token is kept in localStorage (token-store.js) and sent as "Authorization: Bearer …".
import { byId } from './dom.js';
import { getToken, setToken } from './token-store.js';

export class TokenPanel {
  #panel = byId('token-panel', HTMLElement);
  #form = byId('token-form', HTMLFormElement);
  #input = byId('token-input', HTMLInputElement);
  #message = byId('token-message', HTMLElement);
  #toggle = byId('token-button', HTMLButtonElement);

  constructor() {
    this.#toggle.addEventListener('click', () => (this.#panel.hidden ? this.open() : this.close()));
    this.#form.addEventListener('submit', (event) => {
      event.preventDefault();
      setToken(this.#input.value.trim());
      this.#message.textContent = this.#input.value.trim() ? 'Token saved in this browser.' : 'Token forgotten.';
      this.close();
    });
    byId('token-forget', HTMLButtonElement).addEventListener('click', () => {
      this.#input.value = '';
      setToken('');
      this.#message.textContent = 'Token forgotten.';
    });
    this.#syncToggle();
  }

  /** @param {string} [reason] why it opened by itself */
  open(reason) {
    this.#panel.hidden = false;
    this.#toggle.setAttribute('aria-expanded', 'true');
    this.#input.value = getToken();
    if (reason) this.#message.textContent = getToken() ? `The saved token was refused: ${reason}` : reason;
    this.#input.focus();
  }

  close() {
    this.#panel.hidden = true;
    this.#toggle.setAttribute('aria-expanded', 'false');
    this.#syncToggle();
  }

  #syncToggle() {
    this.#toggle.textContent = getToken() ? 'API token ✓' : 'API token';
  }
}
