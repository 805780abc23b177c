import { Clock, MonotonicClock } from './clock';

class SteppedClock extends Clock {
  constructor(private readonly times: number[]) {
    super();
  }
  now() {
    return new Date(this.times.shift()!);
  }
}

describe('MonotonicClock', () => {
  it('follows its source forwards and holds its highest time when the source goes back', () => {
    const clock = new MonotonicClock(new SteppedClock([1000, 2000, 1500, 500, 2001, 1999]));
    expect([1, 2, 3, 4, 5, 6].map(() => clock.now().getTime())).toEqual([1000, 2000, 2000, 2000, 2001, 2001]);
  });
});
