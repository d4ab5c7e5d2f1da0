// Checks in nested groups, a group_duration threshold by group, a check outside any group.
import { check, group, sleep } from 'ctiload';

export const options = {
  scenarios: { main: { executor: 'per-vu-iterations', vus: 2, iterations: 2 } },
  thresholds: {
    'group_duration{group:::login}': ['max<' + (__ENV.LOGIN_MAX || '60000')],
  },
};

export default function () {
  group('login', () => {
    check(1, { 'logged in': (x) => x === 1 });
    sleep(0.02);
    group('ready', () => {
      check(1, { 'ログイン済み': (x) => x === 1 });
    });
  });
  check(0, { 'outside': (x) => x === 1 });
}
