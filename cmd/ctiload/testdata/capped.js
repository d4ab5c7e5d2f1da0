// options.cti for the precedence test (ctiload inspect only: it never runs).
export const options = {
  cti: { maxRequestRate: '6000/m', maxOpenRate: 5, openBackoff: { initial: '1s', max: '1m' }, abortOnOpenFailures: false },
};

export default function () {}
