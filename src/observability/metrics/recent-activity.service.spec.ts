import type { ExecutionTarget } from './execution-recorder.service';
import { RecentActivity } from './recent-activity.service';

const tool: ExecutionTarget = { kind: 'tool', id: 't1', name: 'echo', server: 'local' };
const at = (minute: number, second = 0) => new Date(Date.UTC(2026, 0, 1, 12, minute, second));

describe('RecentActivity', () => {
  it('counts executions and errors per minute, zero-filling quiet minutes', () => {
    const activity = new RecentActivity();
    activity.record(tool, 5, undefined, at(0, 1));
    activity.record(tool, 5, 'boom', at(0, 59));
    activity.record(tool, 5, undefined, at(2, 30));
    expect(activity.perMinute(4, at(2, 45))).toEqual([
      { minute: at(-1).toISOString(), calls: 0, errors: 0 },
      { minute: at(0).toISOString(), calls: 2, errors: 1 },
      { minute: at(1).toISOString(), calls: 0, errors: 0 },
      { minute: at(2).toISOString(), calls: 1, errors: 0 },
    ]);
  });

  it('keeps the last hour and the last 50 errors, newest first', () => {
    const activity = new RecentActivity();
    for (let m = 0; m < 90; m++) activity.record(tool, 1, `e${m}`, new Date(Date.UTC(2026, 0, 1, 10, m)));
    const hour = activity.perMinute(60, new Date(Date.UTC(2026, 0, 1, 10, 89)));
    expect(hour).toHaveLength(60);
    expect(hour.every((m) => m.calls === 1 && m.errors === 1)).toBe(true);
    const errors = activity.recentErrors();
    expect(errors).toHaveLength(50);
    expect(errors[0]).toMatchObject({ error: 'e89', name: 'echo', kind: 'tool' });
    expect(activity.recentErrors(2).map((e) => e.error)).toEqual(['e89', 'e88']);
  });
});
