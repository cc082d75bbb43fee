import type { UserDto } from '@primetrade/domain';
import { api, useTokens, type AuthResult, type TokenSource } from './api.js';
import { notices } from './notices.svelte.js';

const storageKey = 'primetrade.session';

interface Stored {
  readonly user: UserDto;
  readonly accessToken: string;
  readonly refreshToken: string;
}

function readStored(): Stored | null {
  try {
    const raw = localStorage.getItem(storageKey);
    return raw === null ? null : (JSON.parse(raw) as Stored);
  } catch {
    return null;
  }
}

/**
 * Who is logged in, and their token pair. Refresh tokens rotate, so a refresh runs once at a time
 * (concurrent 401s share it) and the new pair is stored at once; another tab may have rotated
 * first, so the stored pair is re-read before refreshing.
 */
export class Session implements TokenSource {
  #stored = $state.raw<Stored | null>(readStored());
  #refreshing: Promise<boolean> | null = null;

  readonly user = $derived(this.#stored?.user ?? null);
  readonly loggedIn = $derived(this.#stored !== null);

  constructor() {
    useTokens(this);
  }

  accessToken(): string | null {
    return this.#stored?.accessToken ?? null;
  }

  async register(email: string, password: string, name: string): Promise<void> {
    this.#keep((await api.register({ email, password, name })).data);
  }

  async login(email: string, password: string): Promise<void> {
    this.#keep((await api.login({ email, password })).data);
  }

  async logout(): Promise<void> {
    const refreshToken = this.#stored?.refreshToken;
    this.#forget();
    if (refreshToken !== undefined) await api.logout(refreshToken).catch(() => undefined);
  }

  refresh(): Promise<boolean> {
    this.#refreshing ??= this.#rotate().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #rotate(): Promise<boolean> {
    const latest = readStored() ?? this.#stored;
    if (latest === null) return false;
    if (latest.accessToken !== this.#stored?.accessToken) {
      this.#stored = latest; // another tab already rotated
      return true;
    }
    try {
      this.#keep((await api.refresh(latest.refreshToken)).data);
      return true;
    } catch (error) {
      this.#forget();
      notices.error(error);
      return false;
    }
  }

  #keep({
    user,
    accessToken,
    refreshToken,
  }: Partial<AuthResult> & Pick<AuthResult, 'accessToken' | 'refreshToken'>): void {
    const known = user ?? this.#stored?.user;
    if (known === undefined) throw new Error('The server answered without a user');
    this.#stored = { user: known, accessToken, refreshToken };
    localStorage.setItem(storageKey, JSON.stringify(this.#stored));
  }

  #forget(): void {
    this.#stored = null;
    localStorage.removeItem(storageKey);
  }
}
