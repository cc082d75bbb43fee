import { describeError } from './problems.js';

export interface Notice {
  readonly id: number;
  readonly kind: 'success' | 'error' | 'info';
  readonly text: string;
  /** A button next to the text, e.g. "Undo". */
  readonly action?: { readonly label: string; readonly run: () => void } | undefined;
}

/** Success and error messages shown in one live region; each fades after a while. */
export class Notices {
  #items = $state.raw<readonly Notice[]>([]);
  #nextId = 0;

  get items(): readonly Notice[] {
    return this.#items;
  }

  success(text: string): void {
    this.#push('success', text);
  }

  info(text: string): void {
    this.#push('info', text);
  }

  /** A success with a button (the undo toast); it stays a little longer, to be reachable. */
  withAction(text: string, label: string, run: () => void): void {
    this.#push('success', text, { label, run });
  }

  /** Shows what the server said, in words (problem+json code → readable text + its detail). */
  error(error: unknown): void {
    this.#push('error', describeError(error));
  }

  /** Runs an action and reports it: `success` (when given) if it worked, the server's words if not. */
  async attempt(action: () => Promise<unknown>, success?: string): Promise<boolean> {
    try {
      await action();
      if (success) this.success(success);
      return true;
    } catch (error) {
      this.error(error);
      return false;
    }
  }

  dismiss(id: number): void {
    this.#items = this.#items.filter((item) => item.id !== id);
  }

  #push(kind: Notice['kind'], text: string, action?: Notice['action']): void {
    const id = ++this.#nextId;
    this.#items = [...this.#items.slice(-4), { id, kind, text, action }];
    setTimeout(() => this.dismiss(id), kind === 'error' || action !== undefined ? 8000 : 4000);
  }
}

export const notices = new Notices();
