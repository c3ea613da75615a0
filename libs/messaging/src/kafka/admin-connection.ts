import type { Admin } from 'kafkajs';

/**
 * A kafkajs admin client connected on first use. A failed connection is forgotten, so the next
 * use tries again instead of failing for ever.
 */
export class AdminConnection {
  readonly #admin: Admin;
  #connected: Promise<void> | undefined;

  constructor(admin: Admin) {
    this.#admin = admin;
  }

  async ready(): Promise<Admin> {
    this.#connected ??= this.#admin.connect().catch((error: unknown) => {
      this.#connected = undefined;
      throw error;
    });
    await this.#connected;
    return this.#admin;
  }

  async close(): Promise<void> {
    if (this.#connected !== undefined) await this.#admin.disconnect();
  }
}
