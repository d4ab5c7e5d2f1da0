// Fails in init unless __ENV.GREETING is "hello": -e must override the process environment.
export const options = { vus: 1, iterations: 1 };

if (__ENV.GREETING !== 'hello') {
  throw new Error('GREETING is ' + JSON.stringify(__ENV.GREETING));
}

export default function () {}
