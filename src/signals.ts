/**
 * Ctrl-C handling shared by everything that runs a child process: the first SIGINT/SIGTERM is passed
 * on so Terraform can stop cleanly and release its state lock; the second stops hard.
 */
export type InterruptListener = (signal: NodeJS.Signals, count: number) => void;

export class Interrupts {
  private readonly listeners = new Set<InterruptListener>();
  private count = 0;
  signal: NodeJS.Signals | undefined;

  get interrupted(): boolean {
    return this.count > 0;
  }

  /** True when someone will handle the signal; otherwise the caller should exit at once. */
  fire(signal: NodeJS.Signals): boolean {
    this.count += 1;
    this.signal = signal;
    for (const listener of this.listeners) listener(signal, this.count);
    return this.listeners.size > 0;
  }

  on(listener: InterruptListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
