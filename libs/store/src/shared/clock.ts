/** Time is injected, never read from the machine inside the domain. */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * The store's clock: never runs backwards. It answers the highest time its source has shown, so
 * once an expiry has been seen as passed it stays passed, and event timestamps do not go back,
 * when the machine's clock is set back (NTP step, VM resume). Per process; the recorded
 * StoreEntryExpired event is what makes an expiry final for every process.
 */
export class MonotonicClock extends Clock {
  private highWater = Number.NEGATIVE_INFINITY;

  constructor(private readonly source: Clock) {
    super();
  }

  now(): Date {
    this.highWater = Math.max(this.highWater, this.source.now().getTime());
    return new Date(this.highWater);
  }
}
