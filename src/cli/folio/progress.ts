import { MultiBar, Presets, type SingleBar } from "cli-progress";

/**
 * One bar per file in flight (bytes sent, then the job's stages), on stderr so stdout
 * carries only notes. Off a terminal, one line per finished file instead.
 */
export class Progress {
  private readonly multi: MultiBar | undefined;

  constructor(readonly tty = Boolean(process.stderr.isTTY)) {
    this.multi = tty
      ? new MultiBar(
          {
            format: "{name} |{bar}| {percentage}% {phase}",
            hideCursor: true,
            clearOnComplete: false,
            stopOnComplete: false,
            barsize: 30,
            stream: process.stderr,
          },
          Presets.shades_classic,
        )
      : undefined;
  }

  start(name: string): FileBar {
    const label = name.length > 28 ? `${name.slice(0, 25)}...` : name.padEnd(28);
    const bar = this.multi?.create(100, 0, { name: label, phase: "starting" });
    return new FileBar(this, bar);
  }

  /** A line above the bars (or just a line, off a terminal). */
  line(text: string): void {
    if (this.multi) this.multi.log(`${text}\n`);
    else process.stderr.write(`${text}\n`);
  }

  remove(bar: SingleBar): void {
    this.multi?.remove(bar);
  }

  stop(): void {
    // A final redraw: stop() alone would drop log lines still waiting for the next frame.
    this.multi?.update();
    this.multi?.stop();
  }
}

export class FileBar {
  constructor(
    private readonly progress: Progress,
    private readonly bar: SingleBar | undefined,
  ) {}

  uploading(sent: number, total: number): void {
    this.bar?.update(total ? Math.floor((100 * sent) / total) : 0, { phase: "uploading" });
  }

  stage(status: string, percent: number): void {
    this.bar?.update(percent, { phase: status });
  }

  done(line: string): void {
    if (this.bar) this.progress.remove(this.bar);
    this.progress.line(line);
  }
}
