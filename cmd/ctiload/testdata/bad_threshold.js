// A threshold that does not parse: invalid options (exit 104).
export const options = {
  vus: 1,
  iterations: 1,
  thresholds: { 'cti_failures': ['count=<0'] },
};

export default function () {}
